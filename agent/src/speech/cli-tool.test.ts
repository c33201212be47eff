import { describe, expect, it } from 'vitest';
import {
  CliToolFailedError,
  CliToolMissingError,
  assertCliToolInstalled,
  runCliTool,
} from './cli-tool.ts';
import { countChildProcesses } from './test-audio.ts';

const missing = {
  binary: 'attune-no-such-program',
  installHint: 'apt-get install attune-no-such-program',
};

describe('runCliTool', () => {
  it('passes stdin through and returns stdout', async () => {
    const output = await runCliTool(
      { binary: 'cat', installHint: 'apt-get install coreutils' },
      [],
      { input: Buffer.from('-n --help') },
    );

    expect(output.toString()).toBe('-n --help');
  });

  it('turns a missing program into an install instruction', async () => {
    const run = runCliTool(missing, []);

    await expect(run).rejects.toThrow(CliToolMissingError);
    await expect(run).rejects.toThrow(
      'attune-no-such-program is not installed: apt-get install attune-no-such-program',
    );
  });

  it('reports a failing exit status with what the program wrote to stderr', async () => {
    const run = runCliTool({ binary: 'sh', installHint: 'apt-get install dash' }, [
      '-c',
      'echo broken model >&2; exit 3',
    ]);

    await expect(run).rejects.toThrow(CliToolFailedError);
    await expect(run).rejects.toThrow('sh exited with status 3: broken model');
  });

  it('kills the program when aborted', async () => {
    const abort = new AbortController();
    const run = runCliTool({ binary: 'sleep', installHint: 'apt-get install coreutils' }, ['30'], {
      abortSignal: abort.signal,
    });
    await expect.poll(() => countChildProcesses('sleep')).toBe(1);

    abort.abort();

    await expect(run).rejects.toThrow(/abort/i);
    await expect.poll(() => countChildProcesses('sleep')).toBe(0);
  });
});

describe('assertCliToolInstalled', () => {
  it('finds programs on PATH and rejects ones that are not there', () => {
    expect(() =>
      assertCliToolInstalled({ binary: 'sh', installHint: '' }, '/usr/bin:/bin'),
    ).not.toThrow();
    expect(() => assertCliToolInstalled({ binary: 'sh', installHint: '' }, '/nonexistent')).toThrow(
      CliToolMissingError,
    );
    expect(() => assertCliToolInstalled(missing)).toThrow(
      'attune-no-such-program is not installed',
    );
  });
});
