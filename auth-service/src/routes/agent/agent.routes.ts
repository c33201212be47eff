/**
 * The internal agent API, served on its own listener (INTERNAL_HOST:INTERNAL_PORT). Request and
 * response bodies are the shared contract's schemas (@attune/contract), which the agent compiles
 * against too. Every path needs a credential (see agent-api/authenticate-agent.ts); which one, and
 * what else a route requires, is declared where the route is registered (agent.index.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import {
  appendTurnsRequestSchema,
  appendTurnsResponseSchema,
  endSessionRequestSchema,
  forgetPreferenceRequestSchema,
  forgetPreferenceResponseSchema,
  joinSessionRequestSchema,
  listPreferencesResponseSchema,
  recallRequestSchema,
  recallResponseSchema,
  recordedResponseSchema,
  rememberPreferenceRequestSchema,
  rememberPreferenceResponseSchema,
  resolveParticipantRequestSchema,
  resolveParticipantResponseSchema,
} from '@attune/contract';
import { errorResponses, jsonContent } from '../../http/error-responses.ts';

const tags = ['agent'];
const agentSecret = [{ agentSecret: [] }];
const sessionCredential = [{ sessionCredential: [] }];
const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
const sessionParams = z.object({
  session_id: z.string().min(1).max(128).describe('The session the credential names'),
});

export const resolveParticipantRoute = createRoute({
  method: 'post',
  path: '/agent/v1/participants/resolve',
  tags,
  security: agentSecret,
  summary: 'Who a participant is: everything the agent loads, and a credential for this session',
  request: { body: jsonBody(resolveParticipantRequestSchema) },
  responses: {
    200: jsonContent(resolveParticipantResponseSchema, 'Resolved, or refused with the reason'),
    ...errorResponses(400, 401, 413, 415),
  },
});

/**
 * A call that changes or asks something about one session:
 * `POST /agent/v1/sessions/{session_id}/<action>` with a JSON body and that session's credential.
 * Every such call answers the same errors.
 */
function sessionCall<Body extends ZodType, Answer extends ZodType>(call: {
  action: string;
  summary: string;
  description?: string;
  body: Body;
  answer: Answer;
  answered: string;
}) {
  return createRoute({
    method: 'post',
    path: `/agent/v1/sessions/{session_id}/${call.action}`,
    tags,
    security: sessionCredential,
    summary: call.summary,
    ...(call.description ? { description: call.description } : {}),
    request: { params: sessionParams, body: jsonBody(call.body) },
    responses: {
      200: jsonContent(call.answer, call.answered),
      ...errorResponses(400, 401, 403, 413, 415),
    },
  });
}

export const joinSessionRoute = sessionCall({
  action: 'join',
  summary: 'The participant joined: the session becomes active',
  body: joinSessionRequestSchema,
  answer: recordedResponseSchema,
  answered: 'Recorded, or already recorded',
});

export const endSessionRoute = sessionCall({
  action: 'end',
  summary: 'The conversation ended, with the reason and time the agent saw',
  description:
    "LiveKit's own webhook, when it comes, is the better witness and replaces this record.",
  body: endSessionRequestSchema,
  answer: recordedResponseSchema,
  answered: 'Recorded, or an end was already recorded',
});

export const listPreferencesRoute = createRoute({
  method: 'get',
  path: '/agent/v1/sessions/{session_id}/preferences',
  tags,
  security: sessionCredential,
  summary: "The session user's preferences, by key",
  request: { params: sessionParams },
  responses: {
    200: jsonContent(listPreferencesResponseSchema, 'Every preference'),
    ...errorResponses(400, 401, 403),
  },
});

export const rememberPreferenceRoute = sessionCall({
  action: 'preferences/remember',
  summary:
    'Save a preference for the session user (its key normalised), replacing an earlier value',
  body: rememberPreferenceRequestSchema,
  answer: rememberPreferenceResponseSchema,
  answered: 'Saved, or refused at the limit',
});

export const forgetPreferenceRoute = sessionCall({
  action: 'preferences/forget',
  summary: 'Forget one of the session user’s preferences',
  body: forgetPreferenceRequestSchema,
  answer: forgetPreferenceResponseSchema,
  answered: 'Forgotten, or there was nothing to forget',
});

export const recallRoute = sessionCall({
  action: 'recall',
  summary: "Search the session user's own earlier turns",
  body: recallRequestSchema,
  answer: recallResponseSchema,
  answered: 'Matching turns, or the end of the last conversation',
});

export const appendTurnsRoute = sessionCall({
  action: 'turns',
  summary: 'Store a batch of turns of this conversation; a retried batch is stored once',
  body: appendTurnsRequestSchema,
  answer: appendTurnsResponseSchema,
  answered: 'Stored',
});
