import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const DEV_LIVEKIT_API_KEY = 'devkey';
const DEV_LIVEKIT_API_SECRET = 'secret';
/** livekit-server itself wants API secrets of at least 32 characters. */
const MIN_LIVEKIT_SECRET_LENGTH = 32;
/** The auth service refuses shorter agent secrets. */
const MIN_AGENT_API_SECRET_LENGTH = 32;
/** Where the auth service keeps the agent secret it generates in development. */
const DEV_AGENT_API_SECRET_FILE = './data/agent-api-secret';
const PRODUCTION_HEALTH_PORT = 8081;
const OPENAI_BASE_URL = 'https://api.openai.com/v1';

const positiveInt = z.coerce.number().int().positive();
const httpUrl = z
  .url()
  .refine((url) => /^https?:\/\//.test(url), 'must start with http:// or https://')
  .transform((url) => url.replace(/\/+$/, ''));

/** Every environment variable the agent worker reads, with its default. */
export const agentEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LIVEKIT_URL: z
    .url()
    .refine((url) => /^wss?:\/\//.test(url), 'must start with ws:// or wss://')
    .default('ws://localhost:7880'),
  LIVEKIT_API_KEY: z.string().min(1).default(DEV_LIVEKIT_API_KEY),
  LIVEKIT_API_SECRET: z.string().min(1).default(DEV_LIVEKIT_API_SECRET),
  AGENT_NAME: z.string().min(1).max(128).default('attune-assistant'),
  /** The auth service's internal agent API: the only way this worker reaches users' data. */
  ATTUNE_API_URL: httpUrl.default('http://127.0.0.1:8001'),
  AGENT_API_SECRET: z.string().min(MIN_AGENT_API_SECRET_LENGTH).optional(),
  /** Development only: the file the auth service generated the agent secret into. */
  AGENT_API_SECRET_FILE: z.string().min(1).default(DEV_AGENT_API_SECRET_FILE),
  AGENT_API_TIMEOUT_MS: positiveInt.max(60_000).default(5_000),
  AGENT_API_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** The worker's health server; in development any free port, so workers never collide. */
  AGENT_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  AGENT_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  /** Past this load (0–1) the worker tells LiveKit it is full and takes no more jobs. */
  AGENT_LOAD_THRESHOLD: z.coerce.number().gt(0).max(1).default(0.7),
  /** Conversations one worker carries at most; its load is this share or the CPU, whichever is higher. */
  AGENT_MAX_CONVERSATIONS: positiveInt.max(1_000).optional(),
  /** A job process past this resident size is logged; past the limit it is killed (0: never). */
  AGENT_JOB_MEMORY_WARN_MB: positiveInt.default(300),
  AGENT_JOB_MEMORY_LIMIT_MB: z.coerce.number().int().min(0).default(600),
  /** V8's young-generation semi-space of job processes, in MB (0: Node's default, 16). */
  AGENT_JOB_SEMI_SPACE_MB: z.coerce.number().int().min(0).max(64).default(8),
  /** Job processes kept started and waiting (the framework keeps at least one). */
  AGENT_IDLE_PROCESSES: positiveInt.max(64).optional(),
  /** How long a participant whose connection dropped may take to come back before the conversation ends. */
  PARTICIPANT_RECONNECT_SECONDS: positiveInt.max(600).default(20),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),

  LLM_BASE_URL: httpUrl.default(OPENAI_BASE_URL),
  LLM_MODEL: z.string().min(1).default('gpt-4.1-mini'),
  LLM_API_KEY: z.string().min(1).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),

  SPEECH: z.enum(['cloud', 'local']).default('cloud'),
  STT_BASE_URL: httpUrl.optional(),
  STT_MODEL: z.string().min(1).optional(),
  TTS_BASE_URL: httpUrl.optional(),
  TTS_MODEL: z.string().min(1).optional(),
  TTS_VOICE: z.string().min(1).optional(),
  DEEPGRAM_API_KEY: z.string().min(1).optional(),
  ELEVENLABS_API_KEY: z.string().min(1).optional(),
  ESPEAK_VOICE: z
    .string()
    .regex(/^[a-z][a-z0-9+-]{1,31}$/i, 'is an espeak-ng voice name such as en-us or en-gb')
    .default('en-us'),

  /**
   * How the agent notices that the user speaks over it: `vad` (local voice activity) or
   * `adaptive` (LiveKit Cloud's model, which needs LiveKit Cloud inference credentials).
   */
  INTERRUPTION_MODE: z.enum(['vad', 'adaptive']).default('vad'),
});

type AgentEnv = z.infer<typeof agentEnvSchema>;

export type SttPlan =
  | { provider: 'local' }
  | { provider: 'deepgram'; apiKey: string; model: string }
  | { provider: 'openai'; baseUrl: string; apiKey: string; model: string | undefined };

export type TtsPlan =
  | { provider: 'local'; voice: string }
  | {
      provider: 'elevenlabs';
      apiKey: string;
      voiceId: string | undefined;
      model: string | undefined;
    }
  | {
      provider: 'openai';
      baseUrl: string;
      apiKey: string;
      model: string | undefined;
      voice: string | undefined;
    };

export interface AgentConfig {
  production: boolean;
  livekit: { url: string; apiKey: string; apiSecret: string };
  agentName: string;
  attuneApi: { url: string; secret: string; timeoutMs: number; retries: number };
  worker: {
    healthHost: string;
    /** 0: any free port. */
    healthPort: number;
    loadThreshold: number;
    maxConversations: number | undefined;
    jobMemoryWarnMb: number;
    /** 0: no limit. */
    jobMemoryLimitMb: number;
    /** 0: Node's default. */
    jobSemiSpaceMb: number;
    idleProcesses: number | undefined;
  };
  logLevel: AgentEnv['LOG_LEVEL'];
  llm: { baseUrl: string; model: string; apiKey: string };
  stt: SttPlan;
  tts: TtsPlan;
  interruptionMode: AgentEnv['INTERRUPTION_MODE'];
  reconnectWindowMs: number;
}

/** Raised when the environment cannot run the agent; the message says what to set. */
export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

/**
 * A key for a server that speaks the OpenAI API. OpenAI itself needs a real one; a self-hosted
 * server (Ollama, vLLM, llama.cpp) accepts any, and the client library insists on a non-empty one.
 */
function openAiCompatibleKey(
  baseUrl: string,
  key: string | undefined,
  missing: string,
  problems: string[],
): string {
  if (key) return key;
  if (new URL(baseUrl).hostname === 'api.openai.com') {
    problems.push(missing);
    return '';
  }
  return 'not-needed';
}

function planSpeech(env: AgentEnv, problems: string[]): { stt: SttPlan; tts: TtsPlan } {
  if (env.SPEECH === 'local')
    return { stt: { provider: 'local' }, tts: { provider: 'local', voice: env.ESPEAK_VOICE } };

  const stt: SttPlan = env.DEEPGRAM_API_KEY
    ? { provider: 'deepgram', apiKey: env.DEEPGRAM_API_KEY, model: env.STT_MODEL ?? 'nova-3' }
    : {
        provider: 'openai',
        baseUrl: env.STT_BASE_URL ?? OPENAI_BASE_URL,
        apiKey: openAiCompatibleKey(
          env.STT_BASE_URL ?? OPENAI_BASE_URL,
          env.OPENAI_API_KEY,
          'speech-to-text needs a provider: set OPENAI_API_KEY, DEEPGRAM_API_KEY, STT_BASE_URL (an OpenAI-compatible server), or SPEECH=local',
          problems,
        ),
        model: env.STT_MODEL,
      };
  const tts: TtsPlan = env.ELEVENLABS_API_KEY
    ? {
        provider: 'elevenlabs',
        apiKey: env.ELEVENLABS_API_KEY,
        voiceId: env.TTS_VOICE,
        model: env.TTS_MODEL,
      }
    : {
        provider: 'openai',
        baseUrl: env.TTS_BASE_URL ?? OPENAI_BASE_URL,
        apiKey: openAiCompatibleKey(
          env.TTS_BASE_URL ?? OPENAI_BASE_URL,
          env.OPENAI_API_KEY,
          'text-to-speech needs a provider: set OPENAI_API_KEY, ELEVENLABS_API_KEY, TTS_BASE_URL (an OpenAI-compatible server), or SPEECH=local',
          problems,
        ),
        model: env.TTS_MODEL,
        voice: env.TTS_VOICE,
      };
  return { stt, tts };
}

/** Parses and checks the environment once at start; every problem is listed with what to set. */
export function loadAgentConfig(source: Record<string, string | undefined>): AgentConfig {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = agentEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new AgentConfigError(`Invalid agent configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  if (production) {
    if (
      env.LIVEKIT_API_KEY === DEV_LIVEKIT_API_KEY ||
      env.LIVEKIT_API_SECRET === DEV_LIVEKIT_API_SECRET
    ) {
      problems.push(
        'LIVEKIT_API_KEY and LIVEKIT_API_SECRET are the development keys (devkey/secret); set the key pair of your LiveKit server',
      );
    } else if (env.LIVEKIT_API_SECRET.length < MIN_LIVEKIT_SECRET_LENGTH) {
      problems.push(
        `LIVEKIT_API_SECRET is shorter than ${MIN_LIVEKIT_SECRET_LENGTH} characters; set the secret of your LiveKit server's key pair`,
      );
    }
  }
  const llmApiKey = openAiCompatibleKey(
    env.LLM_BASE_URL,
    env.LLM_API_KEY ?? env.OPENAI_API_KEY,
    'the language model needs a key: set LLM_API_KEY (or OPENAI_API_KEY), or point LLM_BASE_URL at an OpenAI-compatible server such as Ollama (http://localhost:11434/v1)',
    problems,
  );
  const { stt, tts } = planSpeech(env, problems);
  const agentSecret = agentApiSecret(env, production, problems);
  if (problems.length > 0) {
    const heading = production
      ? 'Refusing to start the agent with NODE_ENV=production:'
      : 'The agent cannot start:';
    throw new AgentConfigError(`${heading}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    production,
    livekit: {
      url: env.LIVEKIT_URL,
      apiKey: env.LIVEKIT_API_KEY,
      apiSecret: env.LIVEKIT_API_SECRET,
    },
    agentName: env.AGENT_NAME,
    attuneApi: {
      url: env.ATTUNE_API_URL,
      secret: agentSecret,
      timeoutMs: env.AGENT_API_TIMEOUT_MS,
      retries: env.AGENT_API_RETRIES,
    },
    worker: {
      healthHost: env.AGENT_HEALTH_HOST,
      healthPort: env.AGENT_HEALTH_PORT ?? (production ? PRODUCTION_HEALTH_PORT : 0),
      loadThreshold: env.AGENT_LOAD_THRESHOLD,
      maxConversations: env.AGENT_MAX_CONVERSATIONS,
      jobMemoryWarnMb: env.AGENT_JOB_MEMORY_WARN_MB,
      jobMemoryLimitMb: env.AGENT_JOB_MEMORY_LIMIT_MB,
      jobSemiSpaceMb: env.AGENT_JOB_SEMI_SPACE_MB,
      idleProcesses: env.AGENT_IDLE_PROCESSES,
    },
    logLevel: env.LOG_LEVEL,
    llm: { baseUrl: env.LLM_BASE_URL, model: env.LLM_MODEL, apiKey: llmApiKey },
    stt,
    tts,
    interruptionMode: env.INTERRUPTION_MODE,
    reconnectWindowMs: env.PARTICIPANT_RECONNECT_SECONDS * 1000,
  };
}

/**
 * The secret this worker presents to the internal agent API. Production needs it set; in
 * development it is read from the file the auth service generated beside its database.
 */
function agentApiSecret(env: AgentEnv, production: boolean, problems: string[]): string {
  if (env.AGENT_API_SECRET) return env.AGENT_API_SECRET;
  if (production) {
    problems.push(
      'AGENT_API_SECRET is not set; set it to the same value as the auth service’s AGENT_API_SECRET',
    );
    return '';
  }
  const file = resolve(env.AGENT_API_SECRET_FILE);
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= MIN_AGENT_API_SECRET_LENGTH) return secret;
    problems.push(`${file} holds no agent secret; delete it and start the auth service again`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(
      code === 'ENOENT'
        ? `AGENT_API_SECRET is not set and ${file} does not exist yet: start the auth service once (pnpm start) so it generates the secret, or set AGENT_API_SECRET to the auth service’s`
        : `AGENT_API_SECRET is not set and ${file} cannot be read (${code ?? 'error'}); set AGENT_API_SECRET to the auth service’s`,
    );
  }
  return '';
}
