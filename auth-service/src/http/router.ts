import { type Hook, OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { apiError } from './error-catalog.ts';

/** Zod failures on any input become a 400 that names each field and what is wrong with it. */
function failValidation(result: Parameters<Hook<unknown, Env, string, unknown>>[0]): void {
  if (result.success) return;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw apiError('validation_failed', `Invalid request: ${summary}`, { issues });
}

/**
 * A feature router: routes declared with zod schemas that both validate and document them. The
 * public API's routers use `AppEnv`; the internal agent API's, its own.
 */
export function createRouter<E extends Env = AppEnv>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: (result) => failValidation(result) });
}
