/**
 * The agent publishes what it is doing in its participant attribute `lk.agent.state`
 * (agents-js 1.x, voice/room_io/room_io.ts: `setAttributes({'lk.agent.state': newState})` on
 * every AgentSession state change).
 */
export const ATTRIBUTE_AGENT_STATE = 'lk.agent.state';

export type AgentState = 'initializing' | 'idle' | 'listening' | 'thinking' | 'speaking';

const AGENT_STATES: readonly string[] = [
  'initializing',
  'idle',
  'listening',
  'thinking',
  'speaking',
];

/** The agent's state from its attributes; undefined when it has not said (or says something new). */
export function agentStateOf(
  attributes: Readonly<Record<string, string>> | undefined,
): AgentState | undefined {
  const value = attributes?.[ATTRIBUTE_AGENT_STATE];
  return value !== undefined && AGENT_STATES.includes(value) ? (value as AgentState) : undefined;
}

/** What the page shows about the assistant: a short label and a tone the styles colour. */
export interface AgentStatus {
  /** 'absent' until the agent has joined the room. */
  tone: 'absent' | 'preparing' | 'listening' | 'thinking' | 'speaking';
  label: string;
  /** A sentence for screen readers and the hint under the label. */
  hint: string;
}

export function describeAgentState(present: boolean, state: AgentState | undefined): AgentStatus {
  if (!present) {
    return {
      tone: 'absent',
      label: 'Waiting for the assistant…',
      hint: 'The assistant joins the room in a moment.',
    };
  }
  switch (state) {
    case 'listening':
    case 'idle':
      return { tone: 'listening', label: 'Listening', hint: 'Go ahead and speak.' };
    case 'thinking':
      return {
        tone: 'thinking',
        label: 'Thinking…',
        hint: 'The assistant is working on an answer.',
      };
    case 'speaking':
      return { tone: 'speaking', label: 'Speaking', hint: 'Speak to interrupt.' };
    case 'initializing':
    case undefined:
      return {
        tone: 'preparing',
        label: 'Getting ready…',
        hint: 'The assistant has joined and is getting ready.',
      };
  }
}
