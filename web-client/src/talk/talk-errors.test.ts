import { ConnectionError, DisconnectReason } from 'livekit-client';
import { describe, expect, it } from 'vitest';
import { AuthApiError } from '../api/auth-api.ts';
import {
  TalkSetupError,
  agentTimeoutProblem,
  describeDisconnect,
  describeTalkError,
} from './talk-errors.ts';

const URL = 'ws://127.0.0.1:7880';

describe('describeTalkError', () => {
  it('tells how to allow a denied microphone', () => {
    const problem = describeTalkError(new DOMException('Permission denied', 'NotAllowedError'), {
      stage: 'microphone',
    });
    expect(problem).toMatchObject({
      kind: 'microphone-denied',
      title: 'Microphone access is blocked',
      retry: true,
    });
    expect(problem?.steps?.join(' ')).toMatch(/site settings.*Microphone.*Allow/);
  });

  it('says when there is no microphone, or it is busy', () => {
    expect(
      describeTalkError(new DOMException('Requested device not found', 'NotFoundError'), {
        stage: 'microphone',
      }),
    ).toMatchObject({
      kind: 'microphone-missing',
      title: 'No microphone found',
    });
    expect(
      describeTalkError(new DOMException('Could not start audio source', 'NotReadableError'), {
        stage: 'microphone',
      })?.kind,
    ).toBe('microphone-busy');
    const failed = describeTalkError(new Error('weird'), { stage: 'microphone' });
    expect(failed?.kind).toBe('microphone-failed');
    expect(failed?.message).toContain('(weird)');
  });

  it('explains an insecure page', () => {
    expect(
      describeTalkError(new TalkSetupError('insecure-context', 'x'), { stage: 'microphone' }),
    ).toMatchObject({ kind: 'insecure-context', retry: false });
  });

  it("passes on the service's session_limit message", () => {
    const error = new AuthApiError(
      409,
      'session_limit',
      'You already have as many conversations in progress as allowed; end one first',
    );
    expect(describeTalkError(error, { stage: 'token' })).toMatchObject({
      kind: 'session-limit',
      message: 'You already have as many conversations in progress as allowed; end one first',
    });
  });

  it('asks to wait the Retry-After seconds when rate limited', () => {
    expect(
      describeTalkError(new AuthApiError(429, 'rate_limited', 'Too many requests', 17), {
        stage: 'token',
      })?.message,
    ).toBe('Too many attempts in a short time. Wait 17 s and try again.');
    expect(
      describeTalkError(new AuthApiError(429, 'rate_limited', 'Too many requests'), {
        stage: 'token',
      })?.message,
    ).toMatch(/Wait a moment/);
  });

  it('says the user is signed out on 401, and that Attune is unreachable on a network failure', () => {
    expect(
      describeTalkError(new AuthApiError(401, 'signed_out', 'Your session ended; sign in again.'), {
        stage: 'token',
      }),
    ).toMatchObject({ kind: 'signed-out', retry: false });
    expect(describeTalkError(new TypeError('Failed to fetch'), { stage: 'token' })).toMatchObject({
      kind: 'service',
      title: 'Attune could not be reached',
    });
  });

  it('names the LiveKit URL when the server cannot be reached', () => {
    const problem = describeTalkError(ConnectionError.serverUnreachable('Failed to fetch'), {
      stage: 'connect',
      livekitUrl: URL,
    });
    expect(problem).toMatchObject({ kind: 'livekit-unreachable' });
    expect(problem?.message).toBe(
      'Could not reach the LiveKit server at ws://127.0.0.1:7880. Is livekit-server running? (`livekit-server --dev`)',
    );
  });

  it('reports a failed connection (closed socket, timeout) with the URL', () => {
    for (const error of [
      ConnectionError.internal('Websocket got closed during a (re)connection attempt'),
      ConnectionError.timeout('room connection has timed out (signal)'),
    ]) {
      const problem = describeTalkError(error, { stage: 'connect', livekitUrl: URL });
      expect(problem?.kind).toBe('livekit-failed');
      expect(problem?.message).toBe(
        'The connection to the LiveKit server at ws://127.0.0.1:7880 failed. Is livekit-server running? (`livekit-server --dev`)',
      );
    }
  });

  it('points at mismatched keys when LiveKit refuses the token', () => {
    const problem = describeTalkError(ConnectionError.notAllowed('invalid token', 401), {
      stage: 'connect',
      livekitUrl: URL,
    });
    expect(problem?.kind).toBe('livekit-refused');
    expect(problem?.message).toMatch(/\(401\).*same API key and secret/);
  });

  it('says nothing when the user cancelled the connection', () => {
    expect(
      describeTalkError(ConnectionError.cancelled('Client initiated disconnect'), {
        stage: 'connect',
        livekitUrl: URL,
      }),
    ).toBeUndefined();
  });

  it('never shows a stack trace', () => {
    const error = new Error('boom\n    at Object.<anonymous> (/app/x.js:1:1)');
    const problem = describeTalkError(error, { stage: 'connect', livekitUrl: URL });
    expect(problem?.message).toBe('Something went wrong (boom). Try again.');
  });
});

describe('agentTimeoutProblem', () => {
  it('asks whether the agent runs', () => {
    expect(agentTimeoutProblem(20_000)).toMatchObject({
      kind: 'agent-timeout',
      title: 'The assistant did not join',
      message: 'The assistant did not join within 20 s. Is the agent running (`pnpm agent`)?',
      retry: true,
    });
  });
});

describe('describeDisconnect', () => {
  it('treats the room closing as the end of the conversation', () => {
    expect(describeDisconnect(DisconnectReason.ROOM_DELETED)).toEqual({
      notice: 'The conversation ended.',
    });
    expect(describeDisconnect(DisconnectReason.CLIENT_INITIATED)).toEqual({});
  });

  it('explains losses and removals', () => {
    expect(describeDisconnect(DisconnectReason.PARTICIPANT_REMOVED).problem).toMatchObject({
      title: 'You were removed from the conversation',
      retry: false,
    });
    expect(describeDisconnect(DisconnectReason.DUPLICATE_IDENTITY).problem?.message).toMatch(
      /another tab or device/,
    );
    expect(describeDisconnect(DisconnectReason.SIGNAL_CLOSE).problem).toMatchObject({
      title: 'The connection was lost',
      retry: true,
    });
    expect(describeDisconnect(undefined).problem?.title).toBe('The connection was lost');
  });
});
