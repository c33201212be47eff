// A process on one of the test hosts (a network namespace), started with `ip netns exec`: its
// output is kept line by line (JSON lines also as events) so a test can wait for what it says.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export class HostProcess {
  readonly events: Record<string, unknown>[] = [];
  readonly output: string[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.output.push(line);
      try {
        this.events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a log line, not an event
      }
      this.#waiters.splice(0).forEach((wake) => wake());
    });
    child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** The first output line that satisfies `match`, waiting up to `timeoutMs`. */
  async line(match: (line: string) => boolean, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.output.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out; output so far:\n${this.output.join('\n')}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async event(phase: string): Promise<Record<string, unknown>> {
    const line = await this.line((text) => text.includes(`"phase":"${phase}"`));
    return JSON.parse(line) as Record<string, unknown>;
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Signals the process group (the process was started detached, as its group's leader). */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (
      this.child.pid !== undefined &&
      this.child.exitCode === null &&
      this.child.signalCode === null
    )
      process.kill(-this.child.pid, signal);
  }
}
