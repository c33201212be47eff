import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web-client package folder. */
export const WEB_CLIENT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_OUT_DIR = join(WEB_CLIENT_ROOT, 'dist');
/** Written into the build: the hash of the sources it was built from. */
const SOURCE_HASH_FILE = '.source-hash';
const INPUTS = ['index.html', 'vite.config.ts', 'package.json', 'tsconfig.json', 'src', 'public'];

async function filesUnder(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  const entries = await readdir(path, { withFileTypes: true, recursive: true }).catch(
    () => undefined,
  );
  if (!entries) return [path];
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A hash of every file the build reads (names and contents), independent of mtimes. */
export async function sourceHash(): Promise<string> {
  const files = (await Promise.all(INPUTS.map((input) => filesUnder(join(WEB_CLIENT_ROOT, input)))))
    .flat()
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    if (file.endsWith('.test.ts') || file.endsWith('.test.tsx')) continue;
    hash
      .update(relative(WEB_CLIENT_ROOT, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex');
}

/** Builds the client with Vite into `outDir` (default web-client/dist). */
export async function buildWebClient(
  outDir = DEFAULT_OUT_DIR,
  options: { quiet?: boolean; hash?: string } = {},
): Promise<void> {
  const hash = options.hash ?? (await sourceHash());
  const { build } = await import('vite');
  await build({
    root: WEB_CLIENT_ROOT,
    configFile: join(WEB_CLIENT_ROOT, 'vite.config.ts'),
    logLevel: options.quiet ? 'warn' : 'info',
    build: { outDir, emptyOutDir: true },
  });
  await writeFile(join(outDir, SOURCE_HASH_FILE), `${hash}\n`);
}

/** Builds only when the sources changed since the last build; says which it did. */
export async function buildWebClientIfNeeded(
  outDir = DEFAULT_OUT_DIR,
): Promise<'built' | 'up-to-date'> {
  const built = await readFile(join(outDir, SOURCE_HASH_FILE), 'utf8').catch(() => '');
  const hash = await sourceHash();
  if (built.trim() === hash && existsSync(join(outDir, 'index.html'))) return 'up-to-date';
  await buildWebClient(outDir, { hash });
  return 'built';
}
