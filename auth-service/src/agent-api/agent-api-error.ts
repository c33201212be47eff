import { AGENT_API_ERRORS, type AgentApiErrorCode } from '@attune/contract';
import { ApiError } from '../http/api-error.ts';

/** The catalogued error for `code`, with its status and message (see @attune/contract). */
export function agentApiError(code: AgentApiErrorCode, message?: string): ApiError {
  const { status, message: standard } = AGENT_API_ERRORS[code];
  const headers =
    status === 401 ? { 'WWW-Authenticate': 'Bearer realm="attune-agent"' } : undefined;
  return new ApiError(status, code, message ?? standard, undefined, headers);
}
