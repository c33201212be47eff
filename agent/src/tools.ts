import { llm } from '@livekit/agents';
import { z } from 'zod';
import { AgentApiError, AgentApiUnavailable } from './attune-api/agent-api-client.ts';
import { clip, spokenDate, spokenDuration } from './spoken.ts';
import type { UserMemory } from './user-memory.ts';

/** Visible text only: no control characters (they would end up inside the instructions). */
const spokenText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** Words worth searching for: at least two characters, at most eight of them. */
function searchWords(topic: string | undefined): string[] {
  if (!topic) return [];
  const words = topic.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’%_-]*/gu) ?? [];
  return [...new Set(words.filter((w) => w.length >= 2))].slice(0, 8);
}

/**
 * Runs a memory call; when the service cannot be reached, or no longer serves this session, the
 * model gets a sentence it can say instead of an error it would have to explain.
 */
async function spoken(work: () => Promise<string>): Promise<string> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AgentApiUnavailable) {
      return 'I cannot reach my memory right now. Please try again in a moment.';
    }
    if (error instanceof AgentApiError && error.status === 403) {
      return 'I can no longer read or change your memory in this conversation.';
    }
    throw error;
  }
}

/** What the model may call to read and change the memory of the user it is talking to. */
export function createMemoryTools(memory: UserMemory) {
  return {
    remember_preference: llm.tool({
      description:
        'Remember a lasting preference or fact the user asked you to keep, such as units, answer length or their home city. Saving a key again replaces its value.',
      parameters: z.object({
        key: spokenText(64).describe(
          'Short name of the preference, e.g. "units" or "answer length"',
        ),
        value: spokenText(500).describe('What the user prefers, e.g. "metric" or "short answers"'),
      }),
      execute: ({ key, value }) =>
        spoken(async () => {
          const text = value.trim();
          if (!key.trim()) return 'I need a name for that preference.';
          if (!text) return `I need to know what you prefer for ${key.trim()}.`;
          const result = await memory.remember(key, text);
          switch (result.outcome) {
            case 'saved':
              return `Saved: ${result.key} is ${result.value}.`;
            case 'limit_reached':
              return 'I cannot keep any more preferences. Ask me to forget one first.';
            case 'invalid_key':
              return 'I need a name for that preference.';
          }
        }),
    }),
    forget_preference: llm.tool({
      description: 'Forget one preference the user asked you to remember earlier.',
      parameters: z.object({
        key: spokenText(64).describe(
          'Name of the preference to forget, as listed by list_preferences',
        ),
      }),
      execute: ({ key }) =>
        spoken(async () => {
          if (!key.trim()) return 'I need the name of the preference to forget.';
          const result = await memory.forget(key);
          return result.forgotten
            ? `Forgotten: ${result.key}.`
            : `I had nothing saved under ${result.key}.`;
        }),
    }),
    list_preferences: llm.tool({
      description: 'List every preference you remember for the user.',
      execute: () =>
        spoken(async () => {
          const preferences = await memory.preferences();
          if (preferences.length === 0) return 'I have no preferences saved for you yet.';
          return `You asked me to remember: ${preferences.map((p) => `${p.key} is ${p.value}`).join('; ')}.`;
        }),
    }),
    recall_conversations: llm.tool({
      description:
        'Recall what the user and you said in earlier conversations. Give a topic to search for it; leave it out to hear how the last conversation ended.',
      parameters: z.object({
        topic: spokenText(200).optional().describe('Words to look for, e.g. "Lisbon trip"'),
      }),
      execute: ({ topic }) =>
        spoken(async () => {
          const words = searchWords(topic);
          const { turns } = await memory.recall(words);
          if (turns.length === 0) {
            return words.length > 0
              ? `I found nothing about ${words.join(' ')} in our earlier conversations.`
              : 'This is our first conversation, so there is nothing to recall yet.';
          }
          const lines = turns.map(
            (t) =>
              `On ${spokenDate(t.created_at_ms)} ${t.role === 'user' ? 'you said' : 'I said'}: "${clip(t.text, 160)}"`,
          );
          return words.length > 0 ? `${lines.join('. ')}.` : `Last time: ${lines.join('. ')}.`;
        }),
    }),
  };
}

export interface SessionClock {
  /** When the user joined this conversation. */
  joinedAtMs: number;
  now: () => number;
  /** How many earlier conversations this user had; null for guests, who have none on record. */
  earlierSessions: number | null;
}

/** What session_facts says. */
function sessionFacts(clock: SessionClock): string {
  const running = `This conversation has been going for ${spokenDuration(clock.now() - clock.joinedAtMs)}.`;
  const earlier = clock.earlierSessions;
  if (earlier === null)
    return `${running} As a guest, you have no earlier conversations on record.`;
  if (earlier === 0) return `${running} It is our first conversation.`;
  return `${running} We have talked ${earlier === 1 ? 'once' : `${earlier} times`} before.`;
}

/** Facts about the conversation itself; offered to guests too. */
export function createSessionFactsTool(clock: SessionClock) {
  return {
    session_facts: llm.tool({
      description:
        'Tell how long this conversation has been going and how many earlier conversations the user had.',
      // It reads nothing from outside, but the framework wants a promise.
      execute: () => Promise.resolve(sessionFacts(clock)),
    }),
  };
}
