import { describe, expect, it } from 'vitest';
import { cpuReading, workerLoad } from './worker-load.ts';

describe('the load the worker reports to LiveKit', () => {
  it('is the CPU in use or the share of conversations, whichever is higher', async () => {
    let cpu = 0.2;
    const load = workerLoad({ maxConversations: 10, cpu: () => cpu });
    expect(await load({ activeJobs: [1, 2, 3] })).toBeCloseTo(0.3);
    cpu = 0.9;
    expect(await load({ activeJobs: [1, 2, 3] })).toBeCloseTo(0.9);
    expect(await load({ activeJobs: Array.from({ length: 12 }) })).toBe(1);
    expect(
      await workerLoad({ maxConversations: undefined, cpu: () => 0.25 })({ activeJobs: [1] }),
    ).toBe(0.25);
  });

  it('reads the CPU a cgroup allows, not the whole host', () => {
    let usageUsec = 0;
    const files: Record<string, () => string> = {
      '/sys/fs/cgroup/cpu.max': () => '200000 100000\n',
      '/sys/fs/cgroup/cpu.stat': () => `usage_usec ${usageUsec}\nuser_usec 1\n`,
    };
    const read = cpuReading((path) => {
      const file = files[path];
      if (!file) throw new Error('ENOENT');
      return file();
    });
    const started = performance.now();
    while (performance.now() - started < 50) {
      // let ~50 ms of wall-clock time pass
    }
    const elapsedUsec = (performance.now() - started) * 1000;
    usageUsec = elapsedUsec; // one of the two allowed cores busy all along
    expect(read()).toBeGreaterThan(0.4);
    expect(read()).toBeLessThan(0.05);
  });

  it('falls back to the host’s CPUs outside a limited cgroup', () => {
    const read = cpuReading(() => {
      throw new Error('ENOENT');
    });
    const value = read();
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
  });
});
