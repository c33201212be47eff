import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import path from 'node:path';

/** An external command-line program, and how to tell the operator to install it. */
export interface CliTool {
  /** Program name or path handed to `spawn` (never run through a shell). */
  binary: string;
  /** Shell command that installs the program, shown when it is missing. */
  installHint: string;
}

/** The program could not be started because it is not on this machine. */
export class CliToolMissingError extends Error {
  override readonly name = 'CliToolMissingError';

  constructor(tool: CliTool) {
    super(`${tool.binary} is not installed: ${tool.installHint}`);
  }
}

/** The program started but did not finish successfully. */
export class CliToolFailedError extends Error {
  override readonly name = 'CliToolFailedError';
}

/** A started program, with a promise that settles once it has exited and its output is closed. */
export interface RunningCliTool {
  child: ChildProcessWithoutNullStreams;
  /** Resolves on exit status 0; rejects with {@link CliToolMissingError} or {@link CliToolFailedError}. */
  finished: Promise<void>;
  /** Kills the program if it is still running. */
  kill(): void;
}

const STDERR_TAIL_BYTES = 2_000;

/** Throws {@link CliToolMissingError} unless `tool.binary` is an executable file, looked up on PATH like `spawn` does. */
export function assertCliToolInstalled(tool: CliTool, searchPath = process.env.PATH ?? ''): void {
  const candidates = tool.binary.includes(path.sep)
    ? [tool.binary]
    : searchPath
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, tool.binary));
  if (!candidates.some(isExecutableFile)) throw new CliToolMissingError(tool);
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Starts `tool` with `args` (argv, no shell); stdin, stdout and stderr are pipes. */
export function startCliTool(tool: CliTool, args: readonly string[]): RunningCliTool {
  const child = spawn(tool.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES);
  });
  // A program that exits before reading all of its input makes stdin emit EPIPE;
  // the exit status reported through `finished` is the meaningful outcome.
  child.stdin.on('error', () => {});

  const finished = new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new CliToolMissingError(tool)
          : new CliToolFailedError(`${tool.binary}: ${error.message}`),
      );
    });
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const reason = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      const detail = stderrTail.trim();
      reject(new CliToolFailedError(`${tool.binary} ${reason}${detail ? `: ${detail}` : ''}`));
    });
  });
  // Callers await `finished` only after reading stdout; mark it handled so an early
  // failure is not reported as an unhandled rejection in the meantime.
  finished.catch(() => {});

  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return { child, finished, kill };
}

/**
 * Hands each stdout chunk of `running` to `onChunk`, then waits for the program to exit.
 * If reading or `onChunk` fails, the program is killed; a failure to start it wins over the read error.
 */
export async function consumeCliToolOutput(
  running: RunningCliTool,
  onChunk: (chunk: Buffer) => void,
): Promise<void> {
  try {
    for await (const chunk of running.child.stdout) onChunk(chunk as Buffer);
  } catch (error) {
    running.kill();
    const exitError: unknown = await running.finished.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    throw exitError instanceof CliToolMissingError ? exitError : error;
  }
  await running.finished;
}

export interface RunCliToolOptions {
  /** Bytes written to the program's stdin (which is closed either way). */
  input?: Uint8Array;
  /** Kills the program and rejects when aborted. */
  abortSignal?: AbortSignal;
}

/** Runs `tool` to completion and returns everything it wrote to stdout. */
export async function runCliTool(
  tool: CliTool,
  args: readonly string[],
  options: RunCliToolOptions = {},
): Promise<Buffer> {
  const { input, abortSignal } = options;
  abortSignal?.throwIfAborted();
  const running = startCliTool(tool, args);
  const onAbort = () => running.kill();
  abortSignal?.addEventListener('abort', onAbort, { once: true });
  try {
    running.child.stdin.end(input);
    const chunks: Buffer[] = [];
    await consumeCliToolOutput(running, (chunk) => chunks.push(chunk));
    return Buffer.concat(chunks);
  } catch (error) {
    abortSignal?.throwIfAborted();
    throw error;
  } finally {
    abortSignal?.removeEventListener('abort', onAbort);
    running.kill();
  }
}
