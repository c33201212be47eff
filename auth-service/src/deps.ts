import type { Logger } from 'pino';
import type { AttuneDatabase } from '@attune/db';
import type { ReportRunner } from './analytics/report-runner.ts';
import type { Config } from './config/config.ts';
import type { PasswordHasher } from './passwords/password-hasher.ts';
import type { AppJwt } from './tokens/app-jwt.ts';

/** Everything the app needs from outside; tests build the same object around a temp database. */
export interface AppDeps {
  config: Config;
  database: AttuneDatabase;
  passwords: PasswordHasher;
  appJwt: AppJwt;
  logger: Logger;
  /** Analytics reports, computed off the event loop. */
  reports: ReportRunner;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
}
