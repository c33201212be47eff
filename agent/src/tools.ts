import { llm } from '@livekit/agents';
import { z } from 'zod';
import { normalizePreferenceKey } from '@attune/db';
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

// The answers of the tools that only read. Memory reads are synchronous, so such a tool's execute
// resolves at once with one of these (llm.tool asks for a promise).

/** What list_preferences says. */
function listPreferences(memory: UserMemory): string {
  const preferences = memory.preferences();
  if (preferences.length === 0) return 'I have no preferences saved for you yet.';
  return `You asked me to remember: ${preferences.map((p) => `${p.key} is ${p.value}`).join('; ')}.`;
}

/** What recall_conversations says about a topic, or about the last conversation without one. */
function recallConversations(memory: UserMemory, topic: string | undefined): string {
  const words = searchWords(topic);
  const turns = memory.recall(words);
  if (turns.length === 0) {
    return words.length > 0
      ? `I found nothing about ${words.join(' ')} in our earlier conversations.`
      : 'This is our first conversation, so there is nothing to recall yet.';
  }
  const lines = turns.map(
    (t) =>
      `On ${spokenDate(t.createdAt)} ${t.role === 'user' ? 'you said' : 'I said'}: "${clip(t.text, 160)}"`,
  );
  return words.length > 0 ? `${lines.join('. ')}.` : `Last time: ${lines.join('. ')}.`;
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
      execute: async ({ key, value }) => {
        const normalized = normalizePreferenceKey(key);
        const text = value.trim();
        if (!normalized) return 'I need a name for that preference.';
        if (!text) return `I need to know what you prefer for ${normalized}.`;
        const result = await memory.remember(normalized, text);
        return result === 'saved'
          ? `Saved: ${normalized} is ${text}.`
          : 'I cannot keep any more preferences. Ask me to forget one first.';
      },
    }),
    forget_preference: llm.tool({
      description: 'Forget one preference the user asked you to remember earlier.',
      parameters: z.object({
        key: spokenText(64).describe(
          'Name of the preference to forget, as listed by list_preferences',
        ),
      }),
      execute: async ({ key }) => {
        const normalized = normalizePreferenceKey(key);
        return (await memory.forget(normalized))
          ? `Forgotten: ${normalized}.`
          : `I had nothing saved under ${normalized}.`;
      },
    }),
    list_preferences: llm.tool({
      description: 'List every preference you remember for the user.',
      execute: () => Promise.resolve(listPreferences(memory)),
    }),
    recall_conversations: llm.tool({
      description:
        'Recall what the user and you said in earlier conversations. Give a topic to search for it; leave it out to hear how the last conversation ended.',
      parameters: z.object({
        topic: spokenText(200).optional().describe('Words to look for, e.g. "Lisbon trip"'),
      }),
      execute: ({ topic }) => Promise.resolve(recallConversations(memory, topic)),
    }),
  };
}

export interface SessionClock {
  /** When the user joined this conversation. */
  joinedAtMs: number;
  now: () => number;
  /** How many earlier conversations this user had; null for guests, who have none on record. */
  earlierSessions: () => number | null;
}

/** What session_facts says; like the readers above, the tool resolves with it at once. */
function sessionFacts(clock: SessionClock): string {
  const running = `This conversation has been going for ${spokenDuration(clock.now() - clock.joinedAtMs)}.`;
  const earlier = clock.earlierSessions();
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
      execute: () => Promise.resolve(sessionFacts(clock)),
    }),
  };
}
