import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
/** The bench's child processes: one conversation, and the one-off preparation of its audio. */
export type ChildEntry = 'conversation' | 'prepare-utterance';
const ENTRIES: readonly ChildEntry[] = ['conversation', 'prepare-utterance'];
const AGENT_DIST = path.join(REPO, 'agent/dist/index.js');

/** How a child process is started: `node <argsFor(entry)…> <its own arguments…>`. */
export interface ChildRuntime {
  argsFor(entry: ChildEntry): string[];
  label: string;
  /** Set when the compiled agent package looks older than its sources. */
  warning?: string;
}

/**
 * The conversation process runs as production job processes do: plain `node` on compiled code,
 * with `@attune/agent` resolving to agent/dist. tsx would add ~60 MB to every process and its
 * loader to every start-up; type-checking belongs to `tsc`, not to the benchmark's run time.
 * The bench's own TypeScript (the entries and what they import) is transpiled, file by file,
 * into `outDir`, which gets a `node_modules` link to the workspace's so that packages resolve
 * as they do from bench/. When agent/dist is missing (`pnpm --filter "@attune/agent..." run
 * build` makes it), the conversation runs from sources under tsx instead, and says so.
 */
export async function prepareChildRuntime(outDir: string): Promise<ChildRuntime> {
  if (!existsSync(AGENT_DIST)) {
    return {
      argsFor: (entry) => [
        '--conditions=@attune/source',
        '--import',
        'tsx',
        path.join(HERE, `${entry}.ts`),
      ],
      label: 'tsx on sources (agent/dist missing; RSS includes ~60 MB of tsx)',
    };
  }
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
  await symlink(path.join(REPO, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  const done = new Set<string>();
  for (const entry of ENTRIES) await transpileTree(path.join(HERE, `${entry}.ts`), outDir, done);
  // The speech providers are the agent code the benchmark runs; the rest is only loaded.
  const stale = await newestSourceAfter(
    path.join(REPO, 'agent/src/speech'),
    statSync(AGENT_DIST).mtimeMs,
  );
  return {
    argsFor: (entry) => [path.join(outDir, `${entry}.js`)],
    label: 'node on compiled code (agent/dist)',
    ...(stale
      ? { warning: `agent/dist is older than ${stale}: rebuild it to measure current code` }
      : {}),
  };
}

/** Transpiles `file` and the relative modules it imports (all in this folder) into `outDir`. */
async function transpileTree(file: string, outDir: string, done: Set<string>): Promise<void> {
  if (done.has(file)) return;
  done.add(file);
  const source = await readFile(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      rewriteRelativeImportExtensions: true,
    },
  });
  await writeFile(path.join(outDir, `${path.basename(file, '.ts')}.js`), outputText);
  for (const imported of ts.preProcessFile(source).importedFiles) {
    if (!imported.fileName.startsWith('./')) continue;
    const target = path.resolve(path.dirname(file), imported.fileName);
    if (path.dirname(target) !== HERE)
      throw new Error(`${file} imports outside ${HERE}: ${target}`);
    await transpileTree(target, outDir, done);
  }
}

/** A source file under `dir` modified after `mtimeMs`, if any (tests excluded). */
async function newestSourceAfter(dir: string, mtimeMs: number): Promise<string | undefined> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (statSync(file).mtimeMs > mtimeMs) return path.relative(REPO, file);
  }
  return undefined;
}
