/**
 * One conversation of the capacity benchmark, in a process of its own as a LiveKit job is: an
 * AgentSession with the real VAD and the real local turn detector, a microphone that says the
 * user's sentence in real time and then listens until the agent's reply has played, and a speaker
 * that takes as long to play the reply as the reply lasts. With an IPC channel (started by the
 * driver) it reports `ready` once set up and starts its measured window on `go`; without one it
 * starts at once. Prints one JSON line (ConversationReport) at the end.
 *
 * Argument: a ConversationConfig as JSON.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { inference, initializeLogger, type llm, type stt, type tts, voice } from '@livekit/agents';
import { EspeakTTS, PocketsphinxSTT } from '@attune/agent';
import type {
  ChildMessage,
  ConversationConfig,
  ConversationReport,
  DriverMessage,
} from './protocol.ts';
import {
  type AudioFrame,
  RealtimeMicrophone,
  RealtimeSpeaker,
  pcmToFrames,
} from './realtime-io.ts';
import { EndpointingFakeSTT, ReplyToAnythingLLM, ToneTTS } from './standin-providers.ts';
import { createLocalTurnDetector } from './turn-detector.ts';

const MB = 1024 * 1024;
/** A sentence starts only if this much time is left after it for its end of turn to come. */
const TAIL_MS = 1_500;
/** How long the user waits for a reply before speaking again anyway. */
const REPLY_WAIT_MS = 8_000;
/** The user's pause between the end of the agent's reply and their next sentence. */
const PAUSE_MS = 700;
const MIC_FRAME_MS = 10; // what rtc-node's AudioStream delivers
/** The framework's endpointing defaults for an audio turn detector, stated so the wait is known. */
const ENDPOINTING = { minDelay: 300, maxDelay: 2_500 } as const;
/** Linux reports child CPU (cutime, cstime) in clock ticks of 1/100 s on every common platform. */
const CLOCK_TICKS_PER_SECOND = 100;

const config = JSON.parse(process.argv[2] ?? '') as ConversationConfig;
const setupStarted = performance.now();
initializeLogger({ pretty: false, level: 'warn' });

const rssBeforeModel = process.memoryUsage().rss;
const turnDetector = await createLocalTurnDetector(config.unlikelyThreshold);
const turnDetectorModelRssMb = (process.memoryUsage().rss - rssBeforeModel) / MB;

const utterance = pcmToFrames(readPcm(config.utterancePcmPath), config.sampleRate, MIC_FRAME_MS);
const microphone = new RealtimeMicrophone(config.sampleRate, MIC_FRAME_MS);
const speaker = new RealtimeSpeaker(config.sampleRate);
const session = new voice.AgentSession({
  vad: new inference.VAD(),
  ...providers(config),
  turnHandling: {
    turnDetection: turnDetector,
    endpointing: ENDPOINTING,
    // As the agent is configured by default; adaptive interruption would call LiveKit Cloud.
    interruption: { mode: 'vad' },
  },
});
session.input.audio = microphone;
session.output.audio = speaker;
const observed = observe(session, microphone);
await session.start({
  agent: new voice.Agent({ instructions: 'You are a voice assistant. Answer in one sentence.' }),
});

await readySteady(performance.now() - setupStarted);
const measuring = measureWindow();
const { utterances, unansweredUtterances } = await converse(
  performance.now() + config.durationSeconds * 1000,
);
const measured = measuring.end();
const interruptedPlaybacks = speaker.interruptedPlaybacks; // closing interrupts the last reply
await Promise.race([session.close(), sleep(10_000)]);

const report: ConversationReport = {
  mode: config.mode,
  ...measured,
  turnDetectorModelRssMb: round(turnDetectorModelRssMb),
  ...observed,
  utterances,
  unansweredUtterances,
  interruptedPlaybacks,
  maxMicLagMs: round(microphone.maxLagMs),
};
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);

/** STT, LLM and TTS for the mode; the LLM is always the scripted one (no model runs here). */
function providers(conversation: ConversationConfig): { stt: stt.STT; llm: llm.LLM; tts: tts.TTS } {
  const model = new ReplyToAnythingLLM(conversation.replyText);
  if (conversation.mode === 'local')
    return { stt: new PocketsphinxSTT(), llm: model, tts: new EspeakTTS() };
  return {
    stt: new EndpointingFakeSTT(conversation.userText),
    llm: model,
    tts: new ToneTTS(conversation.sampleRate),
  };
}

function readPcm(path: string): Int16Array {
  const bytes = readFileSync(path);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
}

/**
 * Collects what the session reports: end-of-turn metrics (with the endpointing wait each turn was
 * given and the harness's own speech-end-to-commit time), turn-detector predictions, turns.
 */
function observe(agentSession: voice.AgentSession, mic: RealtimeMicrophone) {
  const result = {
    eouDelaysMs: [] as number[],
    endpointingWaitsMs: [] as number[],
    speechEndToCommitMs: [] as number[],
    transcriptionDelaysMs: [] as number[],
    eotProbabilities: [] as number[],
    eotInferenceMs: [] as number[],
    userTurns: 0,
    agentReplies: 0,
    errors: [] as string[],
  };
  // The framework waits its maximum delay when the prediction that ends the turn is "unlikely",
  // its minimum otherwise (also when no prediction came in time). A turn's prediction is the last
  // one emitted before its metrics: a superseded wait reuses it without emitting it again.
  let wait: number | undefined;
  agentSession.on(voice.AgentSessionEventTypes.EotPrediction, (event) => {
    wait = event.probability < event.threshold ? ENDPOINTING.maxDelay : ENDPOINTING.minDelay;
    result.eotProbabilities.push(round(event.probability, 3));
    result.eotInferenceMs.push(round(event.inferenceDurationMs));
  });
  agentSession.on(voice.AgentSessionEventTypes.MetricsCollected, ({ metrics }) => {
    if (metrics.type !== 'eou_metrics') return;
    result.eouDelaysMs.push(round(metrics.endOfUtteranceDelayMs));
    result.endpointingWaitsMs.push(wait ?? ENDPOINTING.minDelay);
    result.speechEndToCommitMs.push(round(Date.now() - mic.speechEndedAt));
    result.transcriptionDelaysMs.push(round(metrics.transcriptionDelayMs));
    wait = undefined;
  });
  agentSession.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
    if (item.type !== 'message') return;
    if (item.role === 'user') result.userTurns += 1;
    if (item.role === 'assistant') result.agentReplies += 1;
  });
  agentSession.on(voice.AgentSessionEventTypes.Error, ({ error }) => {
    if (result.errors.length < 5) result.errors.push(describe(error));
  });
  return result;
}

/** Tells the driver this conversation is set up and waits for its `go` (at once if standalone). */
async function readySteady(startupMs: number): Promise<void> {
  if (!process.send) return;
  // A driver that went away cannot collect the report: do not linger.
  process.on('disconnect', () => process.exit(3));
  const go = new Promise<void>((resolve) => {
    process.on('message', (message: DriverMessage) => {
      if (message.type === 'go') resolve();
    });
  });
  const ready: ChildMessage = { type: 'ready', startupMs: round(startupMs) };
  process.send(ready);
  await go;
}

/**
 * The user's side of the conversation until `deadlineMs`: say the sentence, listen until the
 * reply has played (or give up after REPLY_WAIT_MS), pause, and again, with the microphone
 * sending silence whenever the user is not speaking.
 */
async function converse(
  deadlineMs: number,
): Promise<{ utterances: number; unansweredUtterances: number }> {
  const utteranceMs = durationMs(utterance);
  let utterances = 0;
  let unansweredUtterances = 0;
  await microphone.silence(performance.now() + config.leadSilenceMs);
  while (performance.now() + utteranceMs + TAIL_MS < deadlineMs) {
    await microphone.play(utterance);
    utterances += 1;
    const stopWaiting = new AbortController();
    let answered = false;
    void speaker.nextPlaybackFinished(stopWaiting.signal).then((interrupted) => {
      answered = interrupted !== undefined;
    });
    const giveUpAt = performance.now() + REPLY_WAIT_MS;
    await microphone.silence(Math.min(giveUpAt, deadlineMs), () => answered);
    stopWaiting.abort();
    // A reply still playing when the window closes is not a missing one.
    if (!answered && performance.now() >= giveUpAt) unansweredUtterances += 1;
    await microphone.silence(Math.min(performance.now() + PAUSE_MS, deadlineMs));
  }
  await microphone.silence(deadlineMs);
  return { utterances, unansweredUtterances };
}

/** CPU (this process, and helper programs it reaped) and memory over the measured window. */
function measureWindow() {
  const startedAt = performance.now();
  const cpuAtStart = cpuSeconds();
  return {
    end() {
      const cpu = cpuSeconds();
      return {
        wallSeconds: round((performance.now() - startedAt) / 1000, 3),
        cpuSeconds: round(cpu.self - cpuAtStart.self, 3),
        helperCpuSeconds: round(cpu.helpers - cpuAtStart.helpers, 3),
        peakRssMb: round(process.resourceUsage().maxRSS / 1024),
        rssMb: round(process.memoryUsage().rss / MB),
        pssMb: round(pssKb() / 1024),
      };
    },
  };
}

function cpuSeconds(): { self: number; helpers: number } {
  const { user, system } = process.cpuUsage();
  // Helpers that ended were reaped into this process's cutime + cstime; those still running
  // (a recognition straddling the end of the window) are counted from their own stat.
  const own = statFields('/proc/self/stat');
  let helperTicks = Number(own?.[13]) + Number(own?.[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(`/proc/${entry}/stat`);
    if (Number(fields?.[1]) === process.pid)
      helperTicks += Number(fields?.[11]) + Number(fields?.[12]);
  }
  return { self: (user + system) / 1e6, helpers: helperTicks / CLOCK_TICKS_PER_SECOND };
}

/**
 * The fields of a /proc/<pid>/stat after "pid (comm) ": [0] state, [1] ppid, … [11] utime,
 * [12] stime, [13] cutime, [14] cstime. Undefined when the process is gone.
 */
function statFields(path: string): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return undefined; // it exited while we looked
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Proportional set size: shared pages (code, mapped files) divided among the processes using them. */
function pssKb(): number {
  const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

function durationMs(frames: readonly AudioFrame[]): number {
  return frames.reduce(
    (sum, frame) => sum + (frame.samplesPerChannel / frame.sampleRate) * 1000,
    0,
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'error' in error) return describe(error.error);
  return String(error);
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
