import { inference, voice } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTempDatabase } from '@attune/db/testing';
import { createAssistant } from '../assistant.ts';
import {
  initializeQuietAgentLogger,
  memoryOf,
  seedSessionUser,
} from '../testing/session-fixtures.ts';
import { recordConversationTurns } from '../turn-recorder.ts';
import { EspeakTTS } from './espeak-tts.ts';
import { PocketsphinxSTT } from './pocketsphinx-stt.ts';
import {
  countChildProcesses,
  durationSeconds,
  peakAmplitude,
  silenceFrames,
} from './test-audio.ts';
import { CapturingAudioOutput, ScriptedAudioInput } from './test-session-io.ts';

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
  let database: ReturnType<typeof openTempDatabase> | undefined;

  beforeAll(initializeQuietAgentLogger);

  afterEach(async () => {
    await session?.close();
    session = undefined;
    database?.remove();
    database = undefined;
  });

  it('hears the user through VAD and pocketsphinx, answers through espeak-ng, and stores both turns', async () => {
    database = openTempDatabase();
    const user = seedSessionUser(database, {
      email: 'voice@example.org',
      fullName: 'Voice Tester',
    });
    const memory = memoryOf(database, user);
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

    const stored = () =>
      database!.connection
        .prepare('SELECT role, text FROM conversation_turns WHERE session_id = ? ORDER BY id')
        .all(user.session.id);
    await vi.waitFor(() =>
      expect(stored()).toEqual([
        { role: 'user', text: finalTranscripts.join(' ') },
        { role: 'assistant', text: REPLY },
      ]),
    );

    await session.close();
    session = undefined;
    expect(countChildProcesses('espeak-ng') + countChildProcesses('pocketsphinx_continuous')).toBe(
      0,
    );
  }, 60_000);
});
