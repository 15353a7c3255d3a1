import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Linux reports children's CPU in clock ticks; 100 per second on every mainstream kernel build. */
const TICK_MS = 10;

function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may contain spaces) start at state; cutime and cstime are 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * CPU time used so far by this process and by the child processes it has already reaped (a
 * contender that runs as a program, like pt-archiver, is counted once it exits).
 */
export function cpuTimeMs(): number {
  const self = process.cpuUsage();
  return (self.user + self.system) / 1000 + childrenCpuMs();
}

export interface MachineCpu {
  /** Share of all CPUs busy over the window (0..1): the contender, the servers, the load, and anything else. */
  readonly busy: number;
  readonly cpus: number;
  /** The 1-minute load average at the end of the window. */
  readonly loadAverage: number;
}

function cpuTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: idle and iowait are the not-busy ones.
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Starts watching the whole machine's CPU; `end()` says how busy it was since (Linux; else busy is NaN). */
export function watchMachineCpu(): { end(): MachineCpu } {
  const start = cpuTicks();
  return {
    end() {
      const stop = cpuTicks();
      const cpus = os.cpus().length;
      const loadAverage = os.loadavg()[0] ?? 0;
      if (!start || !stop || stop.total <= start.total) return { busy: Number.NaN, cpus, loadAverage };
      return { busy: (stop.busy - start.busy) / (stop.total - start.total), cpus, loadAverage };
    },
  };
}
