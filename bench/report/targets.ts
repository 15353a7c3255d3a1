import { PAUSE_INTO_INVOCATION_MS } from '../measure/pause-latency';
import type { BenchProfile } from '../settings';
import type { ContenderResult, ContenderSummary, TargetCheck, WorkResult } from './results';

/**
 * The targets, as ratios within one run: issue 18's (lowtide against the hand-written loop, at
 * AWS latencies and without them) and, without the profile, the earlier ones it keeps.
 */
export const TARGETS = {
  /** rows/s against the loop's under the same profile. */
  throughputVsHandLoop: { none: 1.0, aws: 0.9 },
  throughputVsMonolithic: 0.5,
  /** Longest transaction against the job's lock-hold target (`batch.targetMs`). */
  longestTxVsTarget: 2,
  foregroundP99VsBaseline: 2,
  /** Foreground p99 during lowtide against the foreground p99 during the loop, same profile. */
  foregroundP99VsHandLoop: 1.0,
  /** Cost on paper (bench/cost), US dollars per million rows. */
  usdPerMillionRows: 0.005,
  /** From recording a pause (mid-invocation) to the last transaction lowtide commits. */
  pauseEffectMs: 1000,
} as const;

const fmt = (n: number, digits = 0) => n.toFixed(digits);

function notJudged(
  id: TargetCheck['id'],
  description: string,
  threshold: number,
  direction: TargetCheck['direction'],
  why: string,
): TargetCheck {
  return { id, description, value: null, threshold, direction, met: false, reason: why };
}

type TargetHead = Pick<TargetCheck, 'id' | 'description' | 'threshold' | 'direction'>;

/** A target with a measurement; `why` is only asked for when it is not met. */
function judged(head: TargetHead, value: number, met: boolean, why: () => string): TargetCheck {
  const { id, description, threshold, direction } = head;
  return { id, description, value, threshold, direction, met, ...(met ? {} : { reason: why() }) };
}

function overheadNote(lt: ContenderResult): string {
  const d = lt.lowtide;
  if (!d || !lt.rows) return '';
  const inside = d.inTransactionMs > 0 ? lt.rows / (d.inTransactionMs / 1000) : 0;
  return (
    `inside its batch transactions lowtide changed ${fmt(inside)} rows/s (each batch reads its ledger head, changes the next ` +
    `key range and writes its ledger row; batches averaged ${fmt(d.batchRows.mean)} rows in ${fmt(d.batchMs.mean)} ms). ` +
    `Outside them it spent ${fmt(d.overheadShare * 100)}% of its wall time, ${fmt(d.overheadPerBatchMs)} ms per batch over ${d.batches} batches ` +
    '(health gate, verification, DynamoDB checkpoint and history, the state machine and its waits)'
  );
}

function throughputTarget(
  lt: ContenderResult | undefined,
  other: ContenderResult | undefined,
  id: 'throughput-vs-hand-loop' | 'throughput-vs-monolithic',
  threshold: number,
): TargetCheck {
  const otherName = id === 'throughput-vs-hand-loop' ? 'the hand-written loop' : 'the monolithic statement';
  const description = `lowtide's rows/s at least ${threshold}x ${otherName}'s`;
  if (!lt?.rowsPerSecond || !other?.rowsPerSecond) {
    return notJudged(
      id,
      description,
      threshold,
      'min',
      `not judged: lowtide or ${otherName} has no measurement in this run`,
    );
  }
  const [mine, theirs] = [lt.rowsPerSecond, other.rowsPerSecond];
  const value = mine / theirs;
  return judged(
    { id, description, threshold, direction: 'min' },
    value,
    value >= threshold,
    () => `${fmt(mine)} vs ${fmt(theirs)} rows/s; ${overheadNote(lt)}`,
  );
}

function longestTxTarget(lt: ContenderResult | undefined): TargetCheck {
  const threshold = TARGETS.longestTxVsTarget;
  const description = `lowtide's longest transaction at most ${threshold}x its lock-hold target (batch.targetMs)`;
  const d = lt?.lowtide;
  if (!lt || !d || lt.longestTxMs === undefined) {
    return notJudged(
      'longest-transaction',
      description,
      threshold,
      'max',
      'not judged: lowtide has no measurement in this run',
    );
  }
  const longestTxMs = lt.longestTxMs;
  const value = longestTxMs / d.targetBatchMs;
  return judged(
    { id: 'longest-transaction', description, threshold, direction: 'max' },
    value,
    value <= threshold,
    () =>
      `longest batch ${fmt(longestTxMs)} ms against a ${d.targetBatchMs} ms target ` +
      `(batch p50 ${fmt(d.batchMs.p50)} ms, p90 ${fmt(d.batchMs.p90)} ms): the sizer steers the p90 of recent ` +
      'batches and only reacts after a slow batch, so one batch that stalls (a lock wait behind the foreground, ' +
      'an I/O or checkpoint stall) is not prevented, only followed by a smaller one',
  );
}

function foregroundTarget(lt: ContenderResult | undefined): TargetCheck {
  const threshold = TARGETS.foregroundP99VsBaseline;
  const description = `foreground p99 during lowtide within ${threshold}x the baseline's`;
  const fg = lt?.foreground;
  const baseline = lt?.baseline;
  if (!fg || !baseline || baseline.latencyMs.count === 0 || fg.latencyMs.count === 0) {
    return notJudged(
      'foreground-p99',
      description,
      threshold,
      'max',
      'not judged: no foreground samples for lowtide or the baseline',
    );
  }
  const value = fg.latencyMs.p99 / baseline.latencyMs.p99;
  const batchMs = lt?.lowtide?.batchMs;
  return judged(
    { id: 'foreground-p99', description, threshold, direction: 'max' },
    value,
    value <= threshold,
    () =>
      `p99 ${fmt(fg.latencyMs.p99, 1)} ms vs ${fmt(baseline.latencyMs.p99, 1)} ms just before, without a job. ` +
      `Reads never wait for a row lock: their time in the server went from p99 ${fmt(baseline.readServiceMs.p99, 1)} to ${fmt(fg.readServiceMs.p99, 1)} ms, ` +
      'which is the machine shared between the job, the servers and the load' +
      (lt?.clientCpuMs !== undefined && lt.wallMs
        ? ` (lowtide's own process used ${fmt((lt.clientCpuMs / lt.wallMs) * 100)}% of a CPU for its state machine, handlers and DynamoDB, which on AWS run off the database host)`
        : '') +
      `; their latency, p99 ${fmt(baseline.readLatencyMs.p99, 1)} to ${fmt(fg.readLatencyMs.p99, 1)} ms, also counts waiting for their connection while it was busy with a write` +
      `. Writes went from p99 ${fmt(baseline.writeLatencyMs.p99, 1)} to ${fmt(fg.writeLatencyMs.p99, 1)} ms: ` +
      'a write to a row inside the batch in flight waits for that batch to commit' +
      (batchMs ? ` (batches took ${fmt(batchMs.p50)} ms at p50, ${fmt(batchMs.max)} ms at most)` : ''),
  );
}

function foregroundVsLoopTarget(
  lt: ContenderResult | undefined,
  loop: ContenderResult | undefined,
): TargetCheck {
  const threshold = TARGETS.foregroundP99VsHandLoop;
  const id = 'foreground-p99-vs-hand-loop';
  const description = `foreground p99 during lowtide at most ${threshold}x the p99 during the hand-written loop`;
  const mine = lt?.foreground?.latencyMs;
  const theirs = loop?.foreground?.latencyMs;
  if (!mine || !theirs || mine.count === 0 || theirs.count === 0 || theirs.p99 <= 0) {
    return notJudged(
      id,
      description,
      threshold,
      'max',
      'not judged: no foreground samples for lowtide or the loop',
    );
  }
  const value = mine.p99 / theirs.p99;
  const batchMs = lt?.lowtide?.batchMs;
  return judged(
    { id, description, threshold, direction: 'max' },
    value,
    value <= threshold,
    () =>
      `p99 ${fmt(mine.p99, 1)} ms during lowtide vs ${fmt(theirs.p99, 1)} ms during the loop ` +
      `(writes p99 ${fmt(lt!.foreground!.writeLatencyMs.p99, 1)} vs ${fmt(loop!.foreground!.writeLatencyMs.p99, 1)} ms); ` +
      `a write to a row in a transaction in flight waits for its commit: lowtide's transactions took ` +
      (batchMs ? `${fmt(batchMs.p50)} ms at p50 and ${fmt(batchMs.max)} ms at most` : 'an unknown time') +
      `, the loop's at most ${fmt(loop!.longestTxMs ?? 0)} ms`,
  );
}

function costTarget(lt: ContenderResult | undefined): TargetCheck {
  const threshold = TARGETS.usdPerMillionRows;
  const id = 'cost-per-million-rows';
  const description = `lowtide's cost on paper at most $${threshold} per million rows`;
  const cost = lt?.lowtide?.cost;
  if (!cost)
    return {
      ...notJudged(id, description, threshold, 'max', 'not judged: lowtide has no measurement in this run'),
      unit: 'usd',
    };
  const usd = cost.usdPerMillionRows;
  const head = { id, description, threshold, direction: 'max', unit: 'usd' } as const;
  return {
    ...judged(
      head,
      usd.total,
      usd.total <= threshold,
      () =>
        `$${usd.total.toFixed(4)} per million rows: Step Functions $${usd.stepFunctions.toFixed(4)} ` +
        `(${fmt(cost.transitionsPerMillionRows)} transitions), Lambda $${usd.lambda.toFixed(4)} ` +
        `(${fmt(cost.lambdaInvocationsPerMillionRows)} invocations, ${cost.lambdaGbSecondsPerMillionRows.toFixed(1)} GB-s), ` +
        `DynamoDB $${usd.dynamo.toFixed(4)}; every batch pays ${cost.transitionsPerBatch} transitions and three invocations`,
    ),
    unit: 'usd',
  };
}

function pauseTarget(pause: WorkResult['pause']): TargetCheck {
  const threshold = TARGETS.pauseEffectMs;
  const id = 'pause-latency';
  const description = `a pause recorded mid-invocation takes effect within ${threshold} ms (lowtide's last commit after it)`;
  const head = { id, description, threshold, direction: 'max', unit: 'ms' } as const;
  const none = (why: string) => ({
    ...notJudged(id, description, threshold, 'max', why),
    unit: 'ms' as const,
  });
  if (!pause) return none('not judged: lowtide did not run');
  if ('failed' in pause) return none(`not judged: the pause run failed: ${pause.failed}`);
  if (pause.exit !== 'Paused')
    return none(
      `not judged: the run ended ${pause.exit} before the pause took effect (too few rows to pause mid-run)`,
    );
  const value = pause.lastCommitAfterMs;
  return {
    ...judged(
      head,
      value,
      value <= threshold,
      () =>
        `the pause was recorded ${PAUSE_INTO_INVOCATION_MS} ms into the second ApplyBatch invocation; ` +
        `${pause.batchesAfterRequest} batch(es) committed after it, the last ${fmt(value)} ms later, ` +
        `and the execution ended ${fmt(pause.stoppedAfterMs)} ms later`,
    ),
    unit: 'ms',
  };
}

/** Judges one round under a profile: lowtide's run against the others' runs of the same round. */
function judgeRound(
  profile: BenchProfile,
  lt: ContenderResult | undefined,
  handLoop: ContenderResult | undefined,
  monolithic: ContenderResult | undefined,
): TargetCheck[] {
  const vsLoop = throughputTarget(
    lt,
    handLoop,
    'throughput-vs-hand-loop',
    TARGETS.throughputVsHandLoop[profile],
  );
  if (profile === 'aws')
    return [vsLoop, foregroundVsLoopTarget(lt, handLoop), longestTxTarget(lt), costTarget(lt)];
  return [
    vsLoop,
    throughputTarget(lt, monolithic, 'throughput-vs-monolithic', TARGETS.throughputVsMonolithic),
    longestTxTarget(lt),
    foregroundTarget(lt),
  ];
}

/** The median round's check (the worst round's for the longest transaction), judged on that value. */
function combine(checks: readonly TargetCheck[], rounds: number): TargetCheck {
  const judged = checks.filter((c) => c.value !== null);
  if (judged.length === 0) return checks[0]!;
  const sorted = [...judged].sort((a, b) => a.value! - b.value!);
  // With an even number of rounds, the middle round on the unfavourable side.
  const middle =
    judged[0]!.direction === 'min' ? Math.floor((sorted.length - 1) / 2) : Math.ceil((sorted.length - 1) / 2);
  const pick = judged[0]!.id === 'longest-transaction' ? sorted.at(-1)! : sorted[middle]!;
  if (rounds <= 1) return pick;
  const values = judged.map((c) => c.value!.toFixed(c.unit === 'usd' ? 4 : 2)).join(', ');
  const which = pick.id === 'longest-transaction' ? 'the worst' : 'the median';
  return {
    ...pick,
    ...(pick.reason ? { reason: `${which} of ${rounds} rounds (${values}): ${pick.reason}` } : {}),
  };
}

/**
 * Judges a work item against the targets. Each round compares lowtide with the runs of the
 * same round; the verdict takes the median round (for the longest transaction, the worst round).
 */
export function judgeTargets(
  contenders: readonly ContenderSummary[],
  profile: BenchProfile,
  pause?: WorkResult['pause'],
): TargetCheck[] {
  const rounds = (name: ContenderSummary['name']) =>
    contenders.find((c) => c.name === name && c.status === 'measured')?.rounds ?? [];
  const lt = rounds('lowtide');
  const handLoop = rounds('hand-loop');
  const monolithic = rounds('monolithic');
  const count = Math.max(1, lt.length);
  const perRound = Array.from({ length: count }, (_, i) =>
    judgeRound(profile, lt[i], handLoop[i], monolithic[i]),
  );
  const combined = perRound[0]!.map((_, t) =>
    combine(
      perRound.map((r) => r[t]!),
      lt.length,
    ),
  );
  return [...combined, pauseTarget(pause)];
}
