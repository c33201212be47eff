import type { llm, stt, tts } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import type { AgentConfig, SttPlan, TtsPlan } from './config.ts';
import { EspeakTTS, PocketsphinxSTT } from './speech/index.ts';

const OPENAI_HOST = 'api.openai.com';

/** Any OpenAI-compatible chat server: OpenAI, Ollama, vLLM, llama.cpp's server. */
export function createLanguageModel(plan: AgentConfig['llm']): llm.LLM {
  return new openai.LLM({ baseURL: plan.baseUrl, apiKey: plan.apiKey, model: plan.model });
}

export function createSpeechToText(plan: SttPlan): stt.STT {
  switch (plan.provider) {
    case 'local':
      return new PocketsphinxSTT();
    case 'deepgram':
      return new deepgram.STT({ apiKey: plan.apiKey, model: plan.model });
    case 'openai':
      // OpenAI itself streams over its realtime API; other OpenAI-compatible servers (e.g. a
      // local Whisper server) offer the plain transcription endpoint, cut into turns by the VAD.
      return new URL(plan.baseUrl).hostname === OPENAI_HOST
        ? new openai.STT({ apiKey: plan.apiKey, ...(plan.model ? { model: plan.model } : {}) })
        : new openai.STT({
            baseURL: plan.baseUrl,
            apiKey: plan.apiKey,
            model: plan.model ?? 'whisper-1',
            useRealtime: false,
          });
  }
}

export function createTextToSpeech(plan: TtsPlan): tts.TTS {
  switch (plan.provider) {
    case 'local':
      return new EspeakTTS({ voice: plan.voice });
    case 'elevenlabs':
      return new elevenlabs.TTS({
        apiKey: plan.apiKey,
        ...(plan.voiceId ? { voiceId: plan.voiceId } : {}),
        ...(plan.model ? { model: plan.model } : {}),
      });
    case 'openai':
      return new openai.TTS({
        baseURL: plan.baseUrl,
        apiKey: plan.apiKey,
        ...(plan.model ? { model: plan.model } : {}),
        ...(plan.voice ? { voice: plan.voice as openai.TTSVoices } : {}),
      });
  }
}
