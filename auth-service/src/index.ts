export { createApp } from './app.ts';
export type { AppDeps } from './deps.ts';
export { loadConfig, type Config } from './config/config.ts';
export { ConfigError, parseEnv } from './config/env.ts';
export { createLogger } from './logger.ts';
export { createPasswordHasher, type PasswordHasher } from './passwords/password-hasher.ts';
export { createAppJwt, type AppJwt } from './tokens/app-jwt.ts';
export { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from './tokens/livekit-token.ts';
