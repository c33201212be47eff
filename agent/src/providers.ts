import type { llm, stt, tts } from '@livekit/agents';
import type * as OpenAI from '@livekit/agents-plugin-openai';
import type { AgentConfig, SttPlan, TtsPlan } from './config.ts';
import { EspeakTTS, PocketsphinxSTT } from './speech/index.ts';

const OPENAI_HOST = 'api.openai.com';

// Plugins load only when the configuration names them: every job process is a process of its
// own, and a plugin it never uses is memory it pays for in each of them.
const openaiPlugin = () => import('@livekit/agents-plugin-openai');

/** Any OpenAI-compatible chat server: OpenAI, Ollama, vLLM, llama.cpp's server. */
export async function createLanguageModel(plan: AgentConfig['llm']): Promise<llm.LLM> {
  const openai = await openaiPlugin();
  return new openai.LLM({ baseURL: plan.baseUrl, apiKey: plan.apiKey, model: plan.model });
}

export async function createSpeechToText(plan: SttPlan): Promise<stt.STT> {
  switch (plan.provider) {
    case 'local':
      return new PocketsphinxSTT();
    case 'deepgram': {
      const deepgram = await import('@livekit/agents-plugin-deepgram');
      return new deepgram.STT({ apiKey: plan.apiKey, model: plan.model });
    }
    case 'openai': {
      const openai = await openaiPlugin();
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
}

export async function createTextToSpeech(plan: TtsPlan): Promise<tts.TTS> {
  switch (plan.provider) {
    case 'local':
      return new EspeakTTS({ voice: plan.voice });
    case 'elevenlabs': {
      const elevenlabs = await import('@livekit/agents-plugin-elevenlabs');
      return new elevenlabs.TTS({
        apiKey: plan.apiKey,
        ...(plan.voiceId ? { voiceId: plan.voiceId } : {}),
        ...(plan.model ? { model: plan.model } : {}),
      });
    }
    case 'openai': {
      const openai = await openaiPlugin();
      return new openai.TTS({
        baseURL: plan.baseUrl,
        apiKey: plan.apiKey,
        ...(plan.model ? { model: plan.model } : {}),
        ...(plan.voice ? { voice: plan.voice as OpenAI.TTSVoices } : {}),
      });
    }
  }
}
