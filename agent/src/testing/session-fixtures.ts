import { llm as agentsLlm, initializeLogger, voice } from '@livekit/agents';

/** The framework's logger must exist before any session is built; quiet in tests. */
export function initializeQuietAgentLogger(): void {
  initializeLogger({ pretty: false, level: 'warn' });
}

/** The framework's FakeLLM that also keeps every chat context it was asked to answer. */
export class RecordingFakeLLM extends voice.testing.FakeLLM {
  readonly requests: agentsLlm.ChatContext[] = [];

  override chat(
    options: Parameters<voice.testing.FakeLLM['chat']>[0],
  ): ReturnType<voice.testing.FakeLLM['chat']> {
    this.requests.push(options.chatCtx.copy());
    return super.chat(options);
  }
}

/** A text-only session (no audio, no VAD, no turn detector) around a scripted model. */
export function textOnlySession(model: agentsLlm.LLM): voice.AgentSession {
  return new voice.AgentSession({ llm: model, vad: null, turnHandling: { turnDetection: null } });
}

/** The tool output text exactly as the framework hands it back to the model. */
export const toolOutput = (text: string) => JSON.stringify(text);
