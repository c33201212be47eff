import { z } from 'zod';

/** The settings the agent worker reads at start; provider settings join when the worker lands. */
export const agentEnvSchema = z.object({
  LIVEKIT_URL: z
    .string()
    .url()
    .refine((url) => /^wss?:\/\//.test(url), 'must start with ws:// or wss://')
    .default('ws://localhost:7880'),
  LIVEKIT_API_KEY: z.string().min(1).default('devkey'),
  LIVEKIT_API_SECRET: z.string().min(1).default('secret'),
  AGENT_NAME: z.string().min(1).max(128).default('attune-assistant'),
  DATABASE_PATH: z.string().min(1).default('./data/attune.db'),
});

export type AgentConfig = z.infer<typeof agentEnvSchema>;

export function loadAgentConfig(source: Record<string, string | undefined>): AgentConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = agentEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid agent configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
