// The agent reaches users' data only through the auth service's internal agent API: no job
// process can read another user's rows or a password hash, and workers can run on any host.
// This fails the moment anything in agent/ depends on the database again.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const AGENT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATABASE_MODULES =
  /['"](@attune\/db|@attune\/auth-service|better-sqlite3|drizzle-orm|pg)(\/[^'"]*)?['"]/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('the agent without a database', () => {
  it('imports nothing from @attune/db, the auth service or a database driver', () => {
    const offenders = sourceFiles(AGENT_ROOT)
      .filter((file) => DATABASE_MODULES.test(readFileSync(file, 'utf8')))
      .map((file) => relative(AGENT_ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('does not depend on them either, and reads no DATABASE_PATH', () => {
    const manifest = JSON.parse(readFileSync(join(AGENT_ROOT, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
    expect(dependencies.filter((name) => DATABASE_MODULES.test(`'${name}'`))).toEqual([]);
    const offenders = sourceFiles(join(AGENT_ROOT, 'src'))
      .filter((file) => !file.endsWith('no-database.test.ts'))
      .filter((file) => readFileSync(file, 'utf8').includes('DATABASE_PATH'))
      .map((file) => relative(AGENT_ROOT, file));
    expect(offenders).toEqual([]);
  });
});
