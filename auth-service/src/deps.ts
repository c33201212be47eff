import type { Logger } from 'pino';
import type { AttuneStore } from '@attune/db';
import type { AgentCredentials } from './agent-api/agent-credentials.ts';
import type { ReportRunner } from './analytics/report-runner.ts';
import type { BackgroundTasks } from './background/background-tasks.ts';
import type { Config } from './config/config.ts';
import type { RequestCounterStore } from './http/request-counter-store.ts';
import type { Mailer } from './mail/mailer.ts';
import type { Metrics } from './ops/metrics.ts';
import type { PasswordHasher } from './passwords/password-hasher.ts';
import type { AppJwt } from './tokens/app-jwt.ts';

/**
 * Everything the public app and the internal agent API need from outside; tests build the same
 * object around a temp database.
 */
export interface AppDeps {
  config: Config;
  /** Attune's data, on the SQLite file or PostgreSQL: every read and unit of work goes through it. */
  store: AttuneStore;
  passwords: PasswordHasher;
  appJwt: AppJwt;
  /** The agent secret and the session credentials of the internal agent API. */
  agentCredentials: AgentCredentials;
  /** One Prometheus registry for the public and the internal API. */
  metrics: Metrics;
  logger: Logger;
  /** Sends mail (SMTP, or the development outbox folder); build messages with mail/mail-messages.ts. */
  mailer: Mailer;
  /** Work done after answering (mails whose sending must not show in the answer's timing). */
  tasks: BackgroundTasks;
  /** Analytics reports, computed off the event loop. */
  reports: ReportRunner;
  /**
   * Where rate-limit counts live: this process's memory, or Redis shared by the replicas; `null`
   * when rate limits are off.
   */
  requestCounters: RequestCounterStore | null;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
}
