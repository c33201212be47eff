/**
 * The internal agent API, served on its own listener (INTERNAL_HOST:INTERNAL_PORT). Request and
 * response bodies are the shared contract's schemas (@attune/contract), which the agent compiles
 * against too. Every path needs a credential (see agent-api/authenticate-agent.ts); which one, and
 * what else a route requires, is declared where the route is registered (agent.index.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
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

export const joinSessionRoute = createRoute({
  method: 'post',
  path: '/agent/v1/sessions/{session_id}/join',
  tags,
  security: sessionCredential,
  summary: 'The participant joined: the session becomes active',
  request: { params: sessionParams, body: jsonBody(joinSessionRequestSchema) },
  responses: {
    200: jsonContent(recordedResponseSchema, 'Recorded, or already recorded'),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

export const endSessionRoute = createRoute({
  method: 'post',
  path: '/agent/v1/sessions/{session_id}/end',
  tags,
  security: sessionCredential,
  summary: 'The conversation ended, with the reason and time the agent saw',
  description:
    "LiveKit's own webhook, when it comes, is the better witness and replaces this record.",
  request: { params: sessionParams, body: jsonBody(endSessionRequestSchema) },
  responses: {
    200: jsonContent(recordedResponseSchema, 'Recorded, or an end was already recorded'),
    ...errorResponses(400, 401, 403, 413, 415),
  },
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

export const rememberPreferenceRoute = createRoute({
  method: 'post',
  path: '/agent/v1/sessions/{session_id}/preferences/remember',
  tags,
  security: sessionCredential,
  summary:
    'Save a preference for the session user (its key normalised), replacing an earlier value',
  request: { params: sessionParams, body: jsonBody(rememberPreferenceRequestSchema) },
  responses: {
    200: jsonContent(rememberPreferenceResponseSchema, 'Saved, or refused at the limit'),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

export const forgetPreferenceRoute = createRoute({
  method: 'post',
  path: '/agent/v1/sessions/{session_id}/preferences/forget',
  tags,
  security: sessionCredential,
  summary: 'Forget one of the session user’s preferences',
  request: { params: sessionParams, body: jsonBody(forgetPreferenceRequestSchema) },
  responses: {
    200: jsonContent(forgetPreferenceResponseSchema, 'Forgotten, or there was nothing to forget'),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

export const recallRoute = createRoute({
  method: 'post',
  path: '/agent/v1/sessions/{session_id}/recall',
  tags,
  security: sessionCredential,
  summary: "Search the session user's own earlier turns",
  request: { params: sessionParams, body: jsonBody(recallRequestSchema) },
  responses: {
    200: jsonContent(recallResponseSchema, 'Matching turns, or the end of the last conversation'),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

export const appendTurnsRoute = createRoute({
  method: 'post',
  path: '/agent/v1/sessions/{session_id}/turns',
  tags,
  security: sessionCredential,
  summary: 'Store a batch of turns of this conversation; a retried batch is stored once',
  request: { params: sessionParams, body: jsonBody(appendTurnsRequestSchema) },
  responses: {
    200: jsonContent(appendTurnsResponseSchema, 'Stored'),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});
