/**
 * What the capacity driver and its conversation processes tell each other. Types only: the child
 * runs as plain JavaScript transpiled from these files, and nothing here must exist at run time.
 */

/** `standin`: scripted STT, LLM and a synthetic voice; `local`: pocketsphinx + espeak-ng. */
export type ProviderMode = 'standin' | 'local';

/** One conversation's script, passed to the child as its only argument (JSON). */
export interface ConversationConfig {
  mode: ProviderMode;
  /** Length of the measured window: the microphone runs this long after `go`. */
  durationSeconds: number;
  /**
   * Silence before the first sentence. The driver spreads it over a turn's length so that the
   * conversations of one run do not all speak, and run the turn detector, in lockstep.
   */
  leadSilenceMs: number;
  /** Raw 16-bit little-endian mono PCM of the user's sentence, prepared once by the driver. */
  utterancePcmPath: string;
  /** Sample rate of that PCM and of the microphone frames (LiveKit's room input uses 24 kHz). */
  sampleRate: number;
  /** What the stand-in STT reports for each utterance it hears. */
  userText: string;
  /** What the stand-in LLM answers to anything. */
  replyText: string;
  /**
   * The turn detector's "unlikely end of turn" threshold, or null for the shipped one (0.36 for
   * English). espeak-ng's flat prosody scores low on the audio model, so with the shipped value
   * every synthetic turn would wait the 2.5 s maximum; the model runs on every turn either way.
   */
  unlikelyThreshold: number | null;
}

/** Child → driver over the IPC channel. */
export type ChildMessage = { type: 'ready'; startupMs: number };

/** Driver → child over the IPC channel: start the measured window now. */
export type DriverMessage = { type: 'go' };

/** The one JSON line a child prints on stdout when it is done. */
export interface ConversationReport {
  mode: ProviderMode;
  /** Wall time of the measured window (from `go` to the microphone's end), in seconds. */
  wallSeconds: number;
  /** CPU of this process (all threads) during the window, in seconds. */
  cpuSeconds: number;
  /**
   * CPU of helper programs this process ran during the window (espeak-ng,
   * pocketsphinx_continuous), from /proc (reaped ones via cutime + cstime), in seconds.
   */
  helperCpuSeconds: number;
  /** Peak resident set size of this process, in MB. */
  peakRssMb: number;
  /** Resident and proportional set size at the end of the window, in MB. */
  rssMb: number;
  pssMb: number;
  /** How much the in-process turn-detector model added to RSS when it loaded, in MB. */
  turnDetectorModelRssMb: number;
  /** endOfUtteranceDelayMs of every eou_metrics event, in the order they came. */
  eouDelaysMs: number[];
  /**
   * For the same turns: the endpointing wait the framework chose (its minimum, or its maximum
   * when the turn detector judged the end of turn unlikely). endOfUtteranceDelayMs minus this is
   * the delay the host added.
   */
  endpointingWaitsMs: number[];
  /**
   * For the same turns, measured by this harness: from when the microphone's sentence ended (its
   * real-time schedule, so a process too busy to read its microphone is not excused) to the
   * turn's commit. Unlike endOfUtteranceDelayMs it includes any backlog in front of the VAD.
   */
  speechEndToCommitMs: number[];
  transcriptionDelaysMs: number[];
  /** Every end-of-turn prediction the turn detector made: probability and model time. */
  eotProbabilities: number[];
  eotInferenceMs: number[];
  /** Sentences the microphone finished playing. */
  utterances: number;
  /** User turns the session committed (user messages added to the history). */
  userTurns: number;
  /** Assistant replies the session added to the history. */
  agentReplies: number;
  /** Utterances after which no reply had played when the user gave up waiting (8 s). */
  unansweredUtterances: number;
  /** Agent playbacks cut short (the agent was interrupted). */
  interruptedPlaybacks: number;
  /** How far behind its real-time schedule the microphone fell at worst, in ms. */
  maxMicLagMs: number;
  /** Errors the session reported (`error` events), first few messages. */
  errors: string[];
}
