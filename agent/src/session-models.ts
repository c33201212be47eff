import { inference } from '@livekit/agents';
import type { SessionModels } from './assistant-job.ts';
import type { AgentConfig } from './config.ts';
import { createLanguageModel, createSpeechToText, createTextToSpeech } from './providers.ts';

/** The models each job's sessions run on, as configured. */
export function sessionModels(config: AgentConfig): SessionModels {
  return {
    async conversation() {
      const [stt, llm, tts] = await Promise.all([
        createSpeechToText(config.stt),
        createLanguageModel(config.llm),
        createTextToSpeech(config.tts),
      ]);
      return {
        vad: new inference.VAD(),
        stt,
        llm,
        tts,
        turnHandling: {
          // Local, with its weights compiled in: nothing is downloaded or sent anywhere.
          turnDetection: new inference.TurnDetector({ version: 'v1-mini' }),
          // Left unset, the framework turns on LiveKit Cloud's adaptive interruption in dev mode
          // with a streaming STT such as Deepgram; Attune asks for it only when configured.
          interruption: { mode: config.interruptionMode },
        },
      };
    },
    async refusal() {
      // A session given only a voice still builds a VAD and a turn detector unless told not to
      // (the cloud one in dev mode); the refusal listens to nothing.
      return {
        tts: await createTextToSpeech(config.tts),
        vad: null,
        turnHandling: { turnDetection: null },
      };
    },
  };
}
