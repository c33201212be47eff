export { createApp } from './app.ts';
export type { AppDeps } from './deps.ts';
export { loadConfig, type Config } from './config/config.ts';
export { openServices, type AppServices } from './services.ts';
export { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from './tokens/livekit-token.ts';
