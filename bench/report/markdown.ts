import type { LatencyProfile } from '../../src/runtime/local/latency-profile';
import type { BenchResults, ContenderSummary, TargetCheck, WorkResult } from './results';
import { median, representativeRound } from './summarize';
import { TARGETS } from './targets';

const ENGINE_TITLE = { postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' } as const;

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined) =>
  n === undefined ? '–' : n < 10 ? `${n.toFixed(2)} ms` : `${int(n)} ms`;
const ratio = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(2)}x`;
const seconds = (n: number) => (n < 10_000 ? `${(n / 1000).toFixed(2)} s` : `${(n / 1000).toFixed(1)} s`);
const usd = (n: number) => `$${n.toFixed(n < 1 ? 3 : 2)}`;

/** `PostgreSQL 15.20 (Debian ...) on x86_64 ...` -> `PostgreSQL 15.20`; `10.11.19-MariaDB-0+deb12u1` -> `MariaDB 10.11.19`. */
function shortVersion(version: string): string {
  const pg = /PostgreSQL [\d.]+/.exec(version);
  if (pg) return pg[0];
  const my = /^([\d.]+)-(MariaDB)/.exec(version);
  return my ? `${my[2]} ${my[1]}` : `MySQL ${version.split('-')[0]}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)];
}

function jobRow(c: ContenderSummary, work: WorkResult): string[] {
  if (c.status !== 'measured') {
    const what = c.status === 'unavailable' ? 'not run' : 'FAILED';
    return [c.name, `${what}: ${c.reason ?? ''}`, '', '', '', '', '', ''];
  }
  // Each round's ratio against the same round's run of the other contender, then the median.
  const vs = (name: ContenderSummary['name']) => {
    const other = work.contenders.find((o) => o.name === name && o.status === 'measured');
    if (!other) return null;
    return median(
      c.rounds.map((r, i) => (r.rowsPerSecond ?? 0) / (other.rounds[i]?.rowsPerSecond ?? Number.NaN)),
    );
  };
  return [
    c.name,
    seconds(c.wallMs ?? 0),
    int(c.rowsPerSecond ?? 0),
    ratio(vs('hand-loop')),
    ratio(vs('monolithic')),
    ms(c.longestTxMs),
    int(c.transactions ?? 0),
    c.clientCpuMs === undefined ? '–' : seconds(c.clientCpuMs),
  ];
}

function fgRow(c: ContenderSummary): string[] {
  const f = c.foreground;
  if (!f) return [c.name, '–', '–', '–', '–', '–', '–', '–', '–', '–'];
  return [
    c.name,
    ms(f.baselineP99),
    ms(f.p50),
    ms(f.p99),
    ms(f.max),
    String(f.errors),
    ratio(f.p99VsBaseline),
    `${ms(f.readServiceP99)} (${ratio(f.readServiceP99VsBaseline)})`,
    `${ms(f.writeP99)} (${ratio(f.writeP99VsBaseline)})`,
    Number.isFinite(f.machineBusy) ? `${(f.machineBusy * 100).toFixed(0)}%` : '–',
  ];
}

const PROFILE_TITLE = { none: 'no latency profile', aws: 'AWS latency profile' } as const;

/** A target's value in its unit: a ratio, or dollars per million rows. */
function targetValue(t: Pick<TargetCheck, 'unit'>, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  if (t.unit === 'usd') return `$${value.toFixed(4)}`;
  if (t.unit === 'ms') return ms(value);
  return ratio(value);
}

function required(t: TargetCheck): string {
  const threshold =
    t.unit === 'usd' ? `$${t.threshold}` : t.unit === 'ms' ? `${int(t.threshold)} ms` : `${t.threshold}x`;
  return `${t.direction === 'min' ? '≥' : '≤'} ${threshold}`;
}

function targetRows(targets: readonly TargetCheck[]): string[][] {
  return targets.map((t) => [
    t.description,
    targetValue(t, t.value),
    required(t),
    t.met ? 'met' : `**not met**${t.reason ? `: ${t.reason}` : ''}`,
  ]);
}

function verdictCell(work: WorkResult | undefined, id: TargetCheck['id']): string {
  const t = work?.targets.find((c) => c.id === id);
  if (!t) return '–';
  return `${targetValue(t, t.value)} ${t.met ? 'met' : '**not met**'}`;
}

function lowtideRate(work: WorkResult | undefined): number | undefined {
  return work?.contenders.find((c) => c.name === 'lowtide' && c.status === 'measured')?.rowsPerSecond;
}

/**
 * Issue 18's target table: one row per work item, the verdict of each target under the profile it
 * belongs to (the reasons are in each work item's section below).
 */
function issueTargetTable(results: BenchResults): string[] {
  const items = [...new Set(results.results.map((w) => `${w.engine}/${w.work}`))];
  const rows = items.map((key) => {
    const of = (profile: WorkResult['profile']) =>
      results.results.find((w) => `${w.engine}/${w.work}` === key && w.profile === profile);
    const [none, aws] = [of('none'), of('aws')];
    const sample = none ?? aws!;
    const [plain, slowed] = [lowtideRate(none), lowtideRate(aws)];
    return [
      `${ENGINE_TITLE[sample.engine]} ${sample.work}`,
      verdictCell(none, 'throughput-vs-hand-loop'),
      verdictCell(aws, 'throughput-vs-hand-loop'),
      verdictCell(aws, 'foreground-p99-vs-hand-loop'),
      verdictCell(aws, 'longest-transaction'),
      verdictCell(aws, 'cost-per-million-rows'),
      verdictCell(aws ?? none, 'pause-latency'),
      `${plain === undefined ? '–' : int(plain)} / ${slowed === undefined ? '–' : int(slowed)}`,
    ];
  });
  return [
    '### Targets against the hand-written loop, per work item',
    '',
    ...table(
      [
        'work item',
        `rows/s vs loop, no profile (≥ ${TARGETS.throughputVsHandLoop.none}x)`,
        `rows/s vs loop, AWS (≥ ${TARGETS.throughputVsHandLoop.aws}x)`,
        `foreground p99 vs loop's, AWS (≤ ${TARGETS.foregroundP99VsHandLoop}x)`,
        `longest tx vs lock-hold target, AWS (≤ ${TARGETS.longestTxVsTarget}x)`,
        `cost per million rows, AWS (≤ $${TARGETS.usdPerMillionRows})`,
        `pause to last commit, AWS or else no profile (≤ ${int(TARGETS.pauseEffectMs)} ms)`,
        'lowtide rows/s, no profile / AWS',
      ],
      rows,
    ),
    '',
  ];
}

function describeLatency(l: LatencyProfile): string {
  return (
    `${l.lambdaInvokeMs} ms per Lambda invocation, ${l.stateTransitionMs} ms per state transition, ` +
    `${l.dynamoRequestMs} ms per DynamoDB request, ${l.databaseRoundTripMs} ms per database round trip`
  );
}

function lowtideSection(work: WorkResult): string[] {
  const summary = work.contenders.find((c) => c.name === 'lowtide' && c.status === 'measured');
  const lt = summary && representativeRound(summary)?.lowtide;
  if (!lt) return [];
  const states = Object.entries(lt.states)
    .map(([name, s]) => `${name} ${s.meanMs.toFixed(1)} ms × ${s.invocations}`)
    .join(', ');
  const c = lt.cost;
  return [
    '',
    `lowtide${work.rounds > 1 ? ' (its median round)' : ''}: ${lt.batches} batches in ${lt.executions} execution(s), ` +
      `${int(lt.batchRows.mean)} rows per batch on average (max ${int(lt.batchRows.max)}; range ${int(lt.batchRange.min)}..${int(lt.batchRange.max)}), ` +
      `batch time p50 ${ms(lt.batchMs.p50)}, p90 ${ms(lt.batchMs.p90)}, max ${ms(lt.batchMs.max)} (target ${lt.targetBatchMs} ms); ` +
      `pause between batches ${lt.pauseBetweenBatchesMs} ms, which the state machine waits as ${lt.waitBetweenBatchesSeconds} s; ` +
      `${lt.healthWaits} health back-offs, ${lt.retries} retries.`,
    `Overhead outside the batch transactions: ${ms(lt.overheadPerBatchMs)} per batch (${(lt.overheadShare * 100).toFixed(0)}% of wall time). ` +
      `Handler time per call: ${states}.`,
    `Cost on paper per million rows (${c.prices.region}, prices of ${c.prices.asOf}): ` +
      `${int(c.transitionsPerMillionRows)} state transitions (${c.transitionsPerBatch} per batch) ${usd(c.usdPerMillionRows.stepFunctions)}, ` +
      `${int(c.lambdaInvocationsPerMillionRows)} Lambda invocations and ${c.lambdaGbSecondsPerMillionRows.toFixed(1)} GB-s ${usd(c.usdPerMillionRows.lambda)}, ` +
      `${int(c.dynamoWritesPerMillionRows)} DynamoDB writes and ${int(c.dynamoReadsPerMillionRows)} reads ${usd(c.usdPerMillionRows.dynamo)}; ` +
      `total **${usd(c.usdPerMillionRows.total)}**.`,
  ];
}

function workSection(work: WorkResult): string[] {
  return [
    `### ${ENGINE_TITLE[work.engine]}: ${work.work} of ${int(work.targetRows)} rows, ${PROFILE_TITLE[work.profile]} (${shortVersion(work.serverVersion)})`,
    '',
    ...(work.profile === 'none'
      ? []
      : [
          `Latency: ${describeLatency(work.latency)} (every contender's database round trips; lowtide's control plane too). The foreground connects directly.`,
          '',
        ]),
    `Foreground: ${work.foregroundDriver} (${work.foregroundNote}).`,
    '',
    ...table(
      [
        'contender',
        'wall',
        'rows/s',
        'vs hand loop',
        'vs monolithic',
        'longest tx',
        'transactions',
        'client CPU',
      ],
      work.contenders.map((c) => jobRow(c, work)),
    ),
    '',
    ...table(
      [
        'foreground during',
        'p99 just before (no job)',
        'p50',
        'p99',
        'max',
        'errors',
        'p99 vs just before',
        'reads p99 in server',
        'writes p99',
        'CPU busy',
      ],
      work.contenders.map(fgRow),
    ),
    '',
    ...table(['target', 'this run', 'required', 'verdict'], targetRows(work.targets)),
    ...lowtideSection(work),
    '',
  ];
}

/** The results as Markdown: one section per engine and work item. Printed by the bench and put in the docs. */
export function renderMarkdown(results: BenchResults): string {
  const h = results.host;
  const s = results.settings;
  return [
    `Run of ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${h.cpus} CPUs (${h.cpuModel}), ${h.memoryGb} GB, Node ${h.node}; ` +
      `${int(s.rows)} rows per work item; foreground ${s.foregroundRate} ops/s over ${s.foregroundConnections} connections; ` +
      `baseline ${s.baselineSeconds} s just before each contender; lowtide waits at ${s.msPerSecond} ms per state-machine second; ` +
      `latency profiles ${s.profiles.join(', ')}; ` +
      (s.rounds > 1
        ? `${s.rounds} rounds: medians over rounds, the longest transaction of all rounds.`
        : 'one round.') +
      (s.lowtideJob
        ? ` **lowtide's job defaults were changed for this run** (LOWTIDE_BENCH_LOWTIDE_JOB): \`${JSON.stringify(s.lowtideJob)}\`.`
        : ''),
    '',
    ...(results.results.length > 0 ? issueTargetTable(results) : []),
    ...results.results.flatMap(workSection),
  ].join('\n');
}
