import { describe, expect, it } from 'vitest';
import { agentStateOf, describeAgentState } from './agent-state.ts';

describe('agent state', () => {
  it('reads lk.agent.state from the participant attributes', () => {
    expect(agentStateOf({ 'lk.agent.state': 'listening' })).toBe('listening');
    expect(agentStateOf({ 'lk.agent.state': 'thinking', other: 'x' })).toBe('thinking');
    expect(agentStateOf({ 'lk.agent.state': 'speaking' })).toBe('speaking');
    expect(agentStateOf({ 'lk.agent.state': 'initializing' })).toBe('initializing');
    expect(agentStateOf({ 'lk.agent.state': 'idle' })).toBe('idle');
  });

  it('ignores a missing or unknown state', () => {
    expect(agentStateOf({})).toBeUndefined();
    expect(agentStateOf(undefined)).toBeUndefined();
    expect(agentStateOf({ 'lk.agent.state': 'dancing' })).toBeUndefined();
  });

  it('describes each state for the page', () => {
    expect(describeAgentState(false, undefined)).toMatchObject({
      tone: 'absent',
      label: 'Waiting for the assistant…',
    });
    expect(describeAgentState(false, 'speaking').tone).toBe('absent');
    expect(describeAgentState(true, undefined)).toMatchObject({
      tone: 'preparing',
      label: 'Getting ready…',
    });
    expect(describeAgentState(true, 'initializing').tone).toBe('preparing');
    expect(describeAgentState(true, 'listening')).toMatchObject({
      tone: 'listening',
      label: 'Listening',
    });
    expect(describeAgentState(true, 'idle')).toMatchObject({
      tone: 'listening',
      label: 'Listening',
    });
    expect(describeAgentState(true, 'thinking')).toMatchObject({
      tone: 'thinking',
      label: 'Thinking…',
    });
    expect(describeAgentState(true, 'speaking')).toMatchObject({
      tone: 'speaking',
      label: 'Speaking',
    });
  });
});
