import { type Distribution, distribution } from '../measure/stats';

/** One foreground operation: when it was due (epoch ms), how long until it completed, and whether it failed. */
export interface ForegroundSample {
  readonly dueAt: number;
  readonly latencyMs: number;
  /** From when the statement was sent to its reply: the part of the latency spent in the server. */
  readonly serviceMs: number;
  readonly ok: boolean;
  /** A write can wait for a row lock; a read never does (MVCC), so it shows CPU and I/O contention alone. */
  readonly write: boolean;
}

export interface ForegroundResult {
  readonly samples: readonly ForegroundSample[];
  /** Errors that are not one operation's (a pgbench client that aborted), and a few error messages. */
  readonly problems: readonly string[];
}

/** A load running in another process until stopped. */
export interface ForegroundLoad {
  readonly driver: 'pgbench' | 'node';
  /** Stops the load (after in-flight operations end) and returns every operation it ran. */
  stop(): Promise<ForegroundResult>;
}

export interface ForegroundConfig {
  readonly engine: 'postgres' | 'mysql';
  readonly url: string;
  readonly table: string;
  /** Ids are drawn uniformly from 1..maxId. */
  readonly maxId: number;
  /** Operations per second, all connections together, on a fixed schedule (not one after another). */
  readonly rate: number;
  readonly connections: number;
  /** Hard stop, however long the job takes. */
  readonly maxSeconds: number;
  /** Scratch directory for scripts and logs. */
  readonly workDir: string;
}

export interface ForegroundStats {
  readonly driver: 'pgbench' | 'node';
  readonly operations: number;
  readonly errors: number;
  readonly problems: readonly string[];
  /** Latency from when each operation was due, so waiting behind a blocked one counts too. */
  readonly latencyMs: Distribution;
  readonly readLatencyMs: Distribution;
  readonly writeLatencyMs: Distribution;
  /**
   * Reads' time in the server alone. A read never waits for a row lock, but its latency also counts
   * waiting for its connection, which may be busy with a write that does.
   */
  readonly readServiceMs: Distribution;
  readonly windowMs: number;
  readonly achievedRate: number;
}

/** The operations due within [from, to] (epoch ms). */
export function summarizeForeground(
  driver: ForegroundLoad['driver'],
  result: ForegroundResult,
  from: number,
  to: number,
): ForegroundStats {
  const inWindow = result.samples.filter((s) => s.dueAt >= from && s.dueAt <= to);
  const ok = inWindow.filter((s) => s.ok);
  const windowMs = Math.max(0, to - from);
  return {
    driver,
    operations: inWindow.length,
    errors: inWindow.length - ok.length + result.problems.filter((p) => p.startsWith('aborted')).length,
    problems: result.problems.slice(0, 5),
    latencyMs: distribution(ok.map((s) => s.latencyMs)),
    readLatencyMs: distribution(ok.filter((s) => !s.write).map((s) => s.latencyMs)),
    writeLatencyMs: distribution(ok.filter((s) => s.write).map((s) => s.latencyMs)),
    readServiceMs: distribution(ok.filter((s) => !s.write).map((s) => s.serviceMs)),
    windowMs,
    achievedRate: windowMs > 0 ? (inWindow.length * 1000) / windowMs : 0,
  };
}
