import { ConnectionErrorReason, DisconnectReason, MediaDeviceFailure } from 'livekit-client';
import { AuthApiError } from '../api/auth-api.ts';

/** A problem the Talk page shows: never a stack trace, always what to do next. */
export interface TalkProblem {
  kind:
    | 'microphone-denied'
    | 'microphone-missing'
    | 'microphone-busy'
    | 'microphone-failed'
    | 'insecure-context'
    | 'signed-out'
    | 'session-limit'
    | 'rate-limited'
    | 'service'
    | 'livekit-unreachable'
    | 'livekit-failed'
    | 'livekit-refused'
    | 'agent-timeout'
    | 'disconnected'
    | 'unknown';
  title: string;
  message: string;
  /** How to fix it, shown as a numbered list. */
  steps?: readonly string[];
  /** Whether "Try again" makes sense (false when something has to change first, e.g. sign in). */
  retry: boolean;
}

/** Where in the start-up a failure happened; the same error means different things at each. */
export type TalkStage = 'microphone' | 'token' | 'connect' | 'publish';

/** Failures the Talk page raises itself (not thrown by a browser API or livekit-client). */
export class TalkSetupError extends Error {
  override name = 'TalkSetupError';
  constructor(
    readonly kind: 'insecure-context' | 'no-media-devices',
    message: string,
  ) {
    super(message);
  }
}

const ELSEWHERE =
  'Running LiveKit somewhere else? Set LIVEKIT_URL (and its key and secret) for the auth service to a server this browser can reach.';

/** The page's message for an error thrown while starting a conversation; undefined when there is nothing to tell (the user cancelled). */
export function describeTalkError(
  error: unknown,
  context: { stage: TalkStage; livekitUrl?: string | undefined },
): TalkProblem | undefined {
  if (error instanceof TalkSetupError) {
    return {
      kind: 'insecure-context',
      title: 'The microphone is not available on this page',
      message:
        error.kind === 'insecure-context'
          ? 'Browsers only allow the microphone on secure pages. Open Attune over https, or at http://localhost / http://127.0.0.1.'
          : 'This browser does not offer microphone access. Try a current version of Chrome, Edge, Firefox or Safari.',
      retry: false,
    };
  }
  if (context.stage === 'microphone') return microphoneProblem(error);
  if (error instanceof AuthApiError) return serviceProblem(error);
  if (context.stage === 'token') {
    return {
      kind: 'service',
      title: 'Attune could not be reached',
      message:
        'The conversation could not be set up because Attune did not answer. Check your connection and try again.',
      retry: true,
    };
  }
  if (isConnectionError(error)) return connectionProblem(error, context.livekitUrl);
  if (context.stage === 'publish') {
    return {
      kind: 'livekit-failed',
      title: 'Your microphone could not be sent',
      message: `Connected to the LiveKit server, but publishing the microphone failed${short(error)}. Try again.`,
      retry: true,
    };
  }
  return {
    kind: 'unknown',
    title: 'The conversation could not start',
    message: `Something went wrong${short(error)}. Try again.`,
    retry: true,
  };
}

function microphoneProblem(error: unknown): TalkProblem {
  const failure = MediaDeviceFailure.getFailure(error);
  const name = (error as { name?: unknown } | undefined)?.name;
  if (failure === MediaDeviceFailure.PermissionDenied || name === 'SecurityError') {
    return {
      kind: 'microphone-denied',
      title: 'Microphone access is blocked',
      message:
        'Attune needs your microphone to hear you, and this browser is not allowing it for this site.',
      steps: [
        'Click the icon at the left of the address bar (a lock, a tune icon or a crossed-out microphone).',
        'Open the site settings and set Microphone to “Allow”.',
        'If your system blocks it too, allow the browser in your system’s privacy settings for the microphone.',
        'Then press Try again.',
      ],
      retry: true,
    };
  }
  if (failure === MediaDeviceFailure.NotFound || name === 'OverconstrainedError') {
    return {
      kind: 'microphone-missing',
      title: 'No microphone found',
      message:
        'This device has no microphone the browser can use. Plug one in (or turn it on in your system settings) and try again.',
      retry: true,
    };
  }
  if (failure === MediaDeviceFailure.DeviceInUse) {
    return {
      kind: 'microphone-busy',
      title: 'The microphone could not be started',
      message:
        'Another app may be using it, or the system blocked it. Close other apps that use the microphone and try again.',
      retry: true,
    };
  }
  return {
    kind: 'microphone-failed',
    title: 'The microphone could not be started',
    message: `The browser could not open the microphone${short(error)}. Try again.`,
    retry: true,
  };
}

function serviceProblem(error: AuthApiError): TalkProblem {
  if (error.status === 401) {
    return {
      kind: 'signed-out',
      title: 'You are signed out',
      message: 'Your session ended; sign in again to talk.',
      retry: false,
    };
  }
  if (error.code === 'session_limit') {
    return {
      kind: 'session-limit',
      title: 'Too many conversations at once',
      message: error.message,
      retry: true,
    };
  }
  if (error.status === 429) {
    const wait = error.retryAfterSeconds;
    return {
      kind: 'rate-limited',
      title: 'Slow down a little',
      message: wait
        ? `Too many attempts in a short time. Wait ${wait} s and try again.`
        : 'Too many attempts in a short time. Wait a moment and try again.',
      retry: true,
    };
  }
  if (error.status >= 500) {
    return {
      kind: 'service',
      title: 'Attune is not answering properly',
      message: `The service answered with an error (${error.status}). Wait a moment and try again.`,
      retry: true,
    };
  }
  return {
    kind: 'service',
    title: 'The conversation could not be set up',
    message: error.message,
    retry: false,
  };
}

interface ConnectionErrorLike {
  name: 'ConnectionError';
  reason: ConnectionErrorReason;
  status?: number | undefined;
  message: string;
}

function isConnectionError(error: unknown): error is ConnectionErrorLike {
  return (
    error instanceof Error &&
    error.name === 'ConnectionError' &&
    typeof (error as { reason?: unknown }).reason === 'number'
  );
}

function connectionProblem(
  error: ConnectionErrorLike,
  livekitUrl: string | undefined,
): TalkProblem | undefined {
  const at = livekitUrl ? ` at ${livekitUrl}` : '';
  switch (error.reason) {
    case ConnectionErrorReason.Cancelled:
      return undefined;
    case ConnectionErrorReason.ServerUnreachable:
      return {
        kind: 'livekit-unreachable',
        title: 'LiveKit server not reachable',
        message: `Could not reach the LiveKit server${at}. Is livekit-server running? (\`livekit-server --dev\`)`,
        steps: [ELSEWHERE],
        retry: true,
      };
    case ConnectionErrorReason.NotAllowed:
      return {
        kind: 'livekit-refused',
        title: 'The LiveKit server refused the connection',
        message: `The LiveKit server${at} did not accept this conversation's token${error.status ? ` (${error.status})` : ''}. The auth service and livekit-server must use the same API key and secret.`,
        retry: true,
      };
    default:
      return {
        kind: 'livekit-failed',
        title: 'Connection failed',
        message: `The connection to the LiveKit server${at} failed. Is livekit-server running? (\`livekit-server --dev\`)`,
        steps: [ELSEWHERE],
        retry: true,
      };
  }
}

/** The assistant did not join in time, or left and did not come back (`left`). */
export function agentTimeoutProblem(
  timeoutMs: number,
  options: { left?: boolean } = {},
): TalkProblem {
  const seconds = Math.round(timeoutMs / 1000);
  return {
    kind: 'agent-timeout',
    title: options.left ? 'The assistant left the conversation' : 'The assistant did not join',
    message: options.left
      ? `The assistant left and did not come back within ${seconds} s. Is the agent still running (\`pnpm agent\`)?`
      : `The assistant did not join within ${seconds} s. Is the agent running (\`pnpm agent\`)?`,
    steps: [
      'Start it with `pnpm agent`, connected to the same LiveKit server and with the same agent name as the auth service.',
    ],
    retry: true,
  };
}

/**
 * Why the room ended when we did not hang up ourselves: a problem to show, or a plain notice
 * when the conversation simply ended (the assistant closed the room).
 */
export function describeDisconnect(reason: DisconnectReason | undefined): {
  problem?: TalkProblem;
  notice?: string;
} {
  switch (reason) {
    case DisconnectReason.CLIENT_INITIATED:
      return {};
    case DisconnectReason.ROOM_DELETED:
    case DisconnectReason.ROOM_CLOSED:
      return { notice: 'The conversation ended.' };
    case DisconnectReason.PARTICIPANT_REMOVED:
      return {
        problem: lost(
          'You were removed from the conversation',
          'The conversation was ended for you by the server (for example, by an administrator).',
          false,
        ),
      };
    case DisconnectReason.DUPLICATE_IDENTITY:
      return {
        problem: lost(
          'The conversation moved elsewhere',
          'You joined this conversation from another tab or device, so this one was closed.',
          true,
        ),
      };
    case DisconnectReason.SERVER_SHUTDOWN:
      return {
        problem: lost(
          'The LiveKit server shut down',
          'The server hosting the conversation stopped. Try again once it is back.',
          true,
        ),
      };
    default:
      return {
        problem: lost(
          'The connection was lost',
          'The connection to the LiveKit server was lost and could not be restored. Check your network and try again.',
          true,
        ),
      };
  }
}

function lost(title: string, message: string, retry: boolean): TalkProblem {
  return { kind: 'disconnected', title, message, retry };
}

/** A short, single-line reason from an error (no stack), or nothing. */
function short(error: unknown): string {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const line = message.split('\n')[0]?.trim() ?? '';
  if (!line) return '';
  return ` (${line.length > 120 ? `${line.slice(0, 117)}…` : line})`;
}
