/** Test helpers for the auth service and the packages that test against it (`@attune/auth-service/testing`). */
export * from './test-server.ts';
export * from './agent-participant.ts';
export * from './livekit-webhooks.ts';
export * from './smtp-sink.ts';
export * from './raw-http.ts';
export * from './mailed-link.ts';
export * from './fake-livekit.ts';
export * from './redis-server.ts';
