import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** How busy the machine's CPUs were since the last reading, from 0 to 1. */
export type CpuReading = () => number;

interface CpuTimes {
  busy: number;
  total: number;
}

function hostCpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/**
 * The CPU this worker may use, as its cgroup (v2) limits it: a container with two cores on a
 * 32-core host is full at two. `undefined` outside a limited cgroup.
 */
function cgroupCpuTimes(readFile: (path: string) => string): (() => CpuTimes) | undefined {
  let max: string;
  try {
    max = readFile('/sys/fs/cgroup/cpu.max').trim();
  } catch {
    return undefined;
  }
  const [quota, period] = max.split(/\s+/);
  if (!quota || quota === 'max' || !period) return undefined;
  const cores = Number(quota) / Number(period);
  if (!(cores > 0)) return undefined;
  return () => {
    const usage = /usage_usec (\d+)/.exec(readFile('/sys/fs/cgroup/cpu.stat'))?.[1];
    // CPU microseconds the cgroup used against wall-clock microseconds times the cores it may
    // use; only the differences between two readings mean anything.
    return { busy: Number(usage ?? 0), total: performance.now() * 1000 * cores };
  };
}

/** Reads the CPU the worker may use, each call measuring the time since the previous one. */
export function cpuReading(
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): CpuReading {
  const times = cgroupCpuTimes(readFile) ?? hostCpuTimes;
  let last = times();
  return () => {
    const current = times();
    const total = current.total - last.total;
    const busy = current.busy - last.busy;
    last = current;
    return total > 0 ? Math.min(1, Math.max(0, busy / total)) : 0;
  };
}

/**
 * The load the worker reports to LiveKit (0–1), which stops sending it jobs at the threshold:
 * the CPU in use, or the share of `maxConversations` running, whichever is higher. A voice
 * conversation costs little CPU with cloud models but a whole process of memory, so counting
 * conversations keeps a host from taking more than its memory holds.
 */
export function workerLoad(input: {
  maxConversations: number | undefined;
  cpu: CpuReading;
}): (worker: { activeJobs: readonly unknown[] }) => Promise<number> {
  return (worker) => {
    const share = input.maxConversations ? worker.activeJobs.length / input.maxConversations : 0;
    return Promise.resolve(Math.min(1, Math.max(input.cpu(), share)));
  };
}
