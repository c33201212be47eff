import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import {
  consumeActionTokenPg,
  countActionTokensSincePg,
  findUsableActionTokenPg,
  issueActionTokenPg,
  lockActionTokensPg,
  pruneActionTokensPg,
  voidUserActionTokensPg,
} from '../postgres/action-tokens.ts';
import { insertAuditEntryPg } from '../postgres/audit-log.ts';
import { runUnit } from '../postgres/transaction.ts';
import {
  type NewActionTokenInput,
  consumeActionToken,
  countActionTokensSince,
  findUsableActionToken,
  issueActionToken,
  pruneActionTokens,
  voidUserActionTokens,
} from '../queries/action-tokens.ts';
import type { AuditFor } from '../queries/audit-builder.ts';
import { insertAuditEntry } from '../queries/audit-log.ts';
import type { ActionToken, ActionTokenPurpose } from '../schema.ts';
import { runSync } from './run-sync.ts';

/** At most `max` links of the purpose mailed to the address since `sinceMs`. */
export interface MailCap {
  max: number;
  sinceMs: number;
}

export type CappedIssue =
  | { outcome: 'issued'; token: string; row: ActionToken }
  /** The address had its `max` links already: nothing issued. */
  | { outcome: 'capped' };

/** Single-use links mailed to people (queries/action-tokens.ts). */
export interface ActionTokenStore {
  /** The token's row if it is of one of `purposes`, unused and unexpired; nothing is written. */
  findUsable(
    token: string,
    purposes: readonly ActionTokenPurpose[],
    nowMs: number,
  ): Promise<ActionToken | undefined>;
  /** Issues a token (voiding the earlier ones of its purpose) and records `audit`. */
  issue(
    input: NewActionTokenInput,
    nowMs: number,
    audit?: AuditFor<ActionToken>,
  ): Promise<{ token: string; row: ActionToken }>;
  /**
   * Issues a token unless the address had `cap.max` of the purpose since `cap.sinceMs`, and
   * records `audit` with the outcome: the count and the issue are one unit, so two replicas
   * cannot both take the last one.
   */
  issueWithinCap(
    input: NewActionTokenInput,
    cap: MailCap,
    nowMs: number,
    audit?: AuditFor<CappedIssue['outcome']>,
  ): Promise<CappedIssue>;
  /** Spends the token (exactly once, whoever tries at the same time); `undefined` if unusable. */
  consume(
    input: { token: string; purposes: readonly ActionTokenPurpose[]; email?: string },
    nowMs: number,
  ): Promise<ActionToken | undefined>;
  /** Voids the user's unused tokens of `purposes`; returns how many. */
  voidForUser(
    userId: string,
    purposes: readonly ActionTokenPurpose[],
    nowMs: number,
  ): Promise<number>;
  /** Deletes tokens that can no longer be used, once past the retention (the sweep). */
  prune(nowMs: number): Promise<number>;
}

export function sqliteActionTokenStore({ db, groupCommit }: AttuneDatabase): ActionTokenStore {
  return {
    findUsable: (token, purposes, nowMs) =>
      runSync(() => findUsableActionToken(db, token, purposes, nowMs)),
    issue: (input, nowMs, audit) =>
      groupCommit.run((tx) => {
        const issued = issueActionToken(tx, input, nowMs);
        const entry = audit?.(issued.row);
        if (entry) insertAuditEntry(tx, entry, nowMs);
        return issued;
      }),
    issueWithinCap: (input, cap, nowMs, audit) =>
      groupCommit.run((tx): CappedIssue => {
        const sent = countActionTokensSince(tx, {
          email: input.email,
          purpose: input.purpose,
          sinceMs: cap.sinceMs,
        });
        const issued: CappedIssue =
          sent >= cap.max
            ? { outcome: 'capped' }
            : { outcome: 'issued', ...issueActionToken(tx, input, nowMs) };
        const entry = audit?.(issued.outcome);
        if (entry) insertAuditEntry(tx, entry, nowMs);
        return issued;
      }),
    consume: (input, nowMs) => groupCommit.run((tx) => consumeActionToken(tx, input, nowMs)),
    voidForUser: (userId, purposes, nowMs) =>
      groupCommit.run((tx) => voidUserActionTokens(tx, userId, purposes, nowMs)),
    prune: (nowMs) => groupCommit.run((tx) => pruneActionTokens(tx, nowMs)),
  };
}

export function postgresActionTokenStore({ db }: PostgresDatabase): ActionTokenStore {
  return {
    findUsable: (token, purposes, nowMs) => findUsableActionTokenPg(db, token, purposes, nowMs),
    issue: (input, nowMs, audit) =>
      runUnit(db, async (tx) => {
        await lockActionTokensPg(tx, input);
        const issued = await issueActionTokenPg(tx, input, nowMs);
        const entry = audit?.(issued.row);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return issued;
      }),
    issueWithinCap: (input, cap, nowMs, audit) =>
      runUnit(db, async (tx): Promise<CappedIssue> => {
        await lockActionTokensPg(tx, input);
        const sent = await countActionTokensSincePg(tx, {
          email: input.email,
          purpose: input.purpose,
          sinceMs: cap.sinceMs,
        });
        const issued: CappedIssue =
          sent >= cap.max
            ? { outcome: 'capped' }
            : { outcome: 'issued', ...(await issueActionTokenPg(tx, input, nowMs)) };
        const entry = audit?.(issued.outcome);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return issued;
      }),
    consume: (input, nowMs) => consumeActionTokenPg(db, input, nowMs),
    voidForUser: (userId, purposes, nowMs) => voidUserActionTokensPg(db, userId, purposes, nowMs),
    prune: (nowMs) => pruneActionTokensPg(db, nowMs),
  };
}
