import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openConnection } from './open-database.ts';
import { insertAuditEntry } from './queries/audit-log.ts';
import { BACKSTOP_CHECKPOINT_PAGES } from './wal-checkpointer.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('background WAL checkpoints', () => {
  it('copy committed pages into the database file from the worker, not from the writer', async () => {
    dir = mkdtempSync(join(tmpdir(), 'attune-db-'));
    const path = join(dir, 'attune.db');
    let checkpointed = 0;
    let onCheckpoint = () => {};
    const copied = new Promise<void>((resolve) => (onCheckpoint = resolve));
    const { database, connection } = openConnection(path, {
      backgroundCheckpoint: {
        intervalMs: 10,
        onCheckpoint: (frames) => {
          checkpointed = Math.max(checkpointed, frames);
          onCheckpoint();
        },
      },
    });
    try {
      // The writer only checkpoints by itself far beyond what this test writes.
      expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(
        BACKSTOP_CHECKPOINT_PAGES,
      );
      const sizeBefore = statSync(path).size;
      // About 300 pages of log, in 300 commits.
      for (let i = 0; i < 300; i += 1) {
        insertAuditEntry(
          database.db,
          {
            action: 'test',
            actorId: null,
            target: null,
            ip: null,
            detail: { pad: 'x'.repeat(4000) },
          },
          i,
        );
      }
      await copied;
      expect(checkpointed).toBeGreaterThan(0);
      // Only a checkpoint writes the database file in WAL mode.
      await expect.poll(() => statSync(path).size).toBeGreaterThan(sizeBefore + 100 * 4096);
    } finally {
      database.close();
    }
  });
});
