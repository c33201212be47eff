export { createApp } from './app.ts';
export { createAgentApi } from './agent-api.ts';
export type { AppDeps } from './deps.ts';
export { loadConfig, type Config } from './config/config.ts';
export { openServices, type AppServices } from './services.ts';
export { FixedWindowCounter } from './http/rate-limit.ts';
export {
  createRequestCounterStore,
  type RequestCounterStore,
} from './http/request-counter-store.ts';
export { createLogger } from './logger.ts';
