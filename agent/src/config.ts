import { z } from 'zod';

const DEV_LIVEKIT_API_KEY = 'devkey';
const DEV_LIVEKIT_API_SECRET = 'secret';
/** livekit-server itself wants API secrets of at least 32 characters. */
const MIN_LIVEKIT_SECRET_LENGTH = 32;
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
  DATABASE_PATH: z.string().min(1).default('./data/attune.db'),
  AGENT_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).default(8081),
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

  HISTORY_MAX_TURNS: positiveInt.max(500).default(40),
  HISTORY_MAX_CHARS: positiveInt.max(100_000).default(4_000),
  MAX_PREFERENCES_PER_USER: positiveInt.max(10_000).default(100),
  /** The same limits the auth service applies when it mints tokens, enforced again at join. */
  MAX_SESSIONS_PER_USER: positiveInt.default(10),
  GUEST_MAX_SESSIONS: positiveInt.default(2),
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
  databasePath: string;
  healthPort: number;
  logLevel: AgentEnv['LOG_LEVEL'];
  llm: { baseUrl: string; model: string; apiKey: string };
  stt: SttPlan;
  tts: TtsPlan;
  memory: { historyMaxTurns: number; historyMaxChars: number; maxPreferences: number };
  sessionLimits: { member: number; guest: number };
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
    databasePath: env.DATABASE_PATH,
    healthPort: env.AGENT_HEALTH_PORT,
    logLevel: env.LOG_LEVEL,
    llm: { baseUrl: env.LLM_BASE_URL, model: env.LLM_MODEL, apiKey: llmApiKey },
    stt,
    tts,
    memory: {
      historyMaxTurns: env.HISTORY_MAX_TURNS,
      historyMaxChars: env.HISTORY_MAX_CHARS,
      maxPreferences: env.MAX_PREFERENCES_PER_USER,
    },
    sessionLimits: { member: env.MAX_SESSIONS_PER_USER, guest: env.GUEST_MAX_SESSIONS },
  };
}
