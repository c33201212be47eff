// The fully local voice loop (no LiveKit server, no cloud): scripted microphone audio → VAD →
// pocketsphinx → the scripted model → espeak-ng → captured audio, with both turns stored through
// the real auth service's internal agent API.
import { inference, voice } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentApiClient,
  EspeakTTS,
  PocketsphinxSTT,
  createAssistant,
  recordConversationTurns,
} from '@attune/agent';
import {
  CapturingAudioOutput,
  ScriptedAudioInput,
  countChildProcesses,
  durationSeconds,
  initializeQuietAgentLogger,
  peakAmplitude,
  silenceFrames,
} from '@attune/agent/testing';
import { type TestServer, startTestServer } from '@attune/auth-service/testing';
import { agentClientOf, liveSession, memoryOf, storedTurnsOf } from './agent-fixtures.ts';

const USER_SENTENCE = 'What is the weather like today';
const REPLY = 'It is sunny and warm in Attune today.';

/** FakeLLM matches its input exactly, but pocketsphinx's transcript is unpredictable: reply to anything. */
class ReplyToAnythingLLM extends voice.testing.FakeLLM {
  override lookup(input: string): voice.testing.FakeLLMResponse {
    return { input, content: REPLY };
  }
}

async function speak(text: string): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  for await (const audio of new EspeakTTS().synthesize(text)) frames.push(audio.frame);
  return frames;
}

function nextAssistantMessage(session: voice.AgentSession, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no assistant message within ${timeoutMs} ms`)),
      timeoutMs,
    );
    session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
      if (item.type !== 'message' || item.role !== 'assistant') return;
      clearTimeout(timer);
      resolve(item.textContent ?? '');
    });
  });
}

describe('local voice loop without a LiveKit server', () => {
  let session: voice.AgentSession | undefined;
  let server: TestServer;
  let client: AgentApiClient;

  beforeAll(async () => {
    initializeQuietAgentLogger();
    server = await startTestServer();
    client = agentClientOf(server);
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('hears the user through VAD and pocketsphinx, answers through espeak-ng, and stores both turns', async () => {
    const { user } = await liveSession(server, client, { fullName: 'Voice Tester' });
    const { memory, outbox } = memoryOf(user);
    const input = new ScriptedAudioInput();
    const output = new CapturingAudioOutput();
    session = new voice.AgentSession({
      vad: new inference.VAD(),
      stt: new PocketsphinxSTT(),
      llm: new ReplyToAnythingLLM(),
      tts: new EspeakTTS(),
      // null: no end-of-turn model; the turn ends when the VAD hears silence.
      turnHandling: { turnDetection: null },
    });
    recordConversationTurns(session, memory);
    session.input.audio = input;
    session.output.audio = output;
    const finalTranscripts: string[] = [];
    session.on(voice.AgentSessionEventTypes.UserInputTranscribed, (event) => {
      if (event.isFinal) finalTranscripts.push(event.transcript);
    });
    const userSpeech = await speak(USER_SENTENCE);

    await session.start({ agent: createAssistant({ user, memory, joinedAtMs: Date.now() }) });
    const assistantReply = nextAssistantMessage(session, 40_000);
    await input.play([...silenceFrames(0.3, 22_050), ...userSpeech, ...silenceFrames(1.5, 22_050)]);

    expect(await assistantReply).toBe(REPLY);
    expect(finalTranscripts.join(' ')).toMatch(/[a-z]/);
    expect(durationSeconds(output.frames)).toBeGreaterThan(0.3);
    expect(peakAmplitude(output.frames)).toBeGreaterThan(1_000);
    const history = session.history.items.flatMap((item) =>
      item.type === 'message' ? [{ role: item.role, text: item.textContent }] : [],
    );
    expect(history).toEqual([
      { role: 'user', text: finalTranscripts.join(' ') },
      { role: 'assistant', text: REPLY },
    ]);

    expect(await outbox.close(5_000)).toBe(0);
    const stored = storedTurnsOf(server, user.sessionId);
    expect(stored).toEqual([
      { role: 'user', text: finalTranscripts.join(' ') },
      { role: 'assistant', text: REPLY },
    ]);

    await session.close();
    session = undefined;
    expect(countChildProcesses('espeak-ng') + countChildProcesses('pocketsphinx_continuous')).toBe(
      0,
    );
  }, 60_000);
});
