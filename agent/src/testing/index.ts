/** Test helpers for the agent and the cross-package tests (`@attune/agent/testing`). */
export * from './session-fixtures.ts';
export * from '../speech/test-audio.ts';
export * from '../speech/test-session-io.ts';
