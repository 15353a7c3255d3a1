import { formatBytes } from '../../run/write-volume-check';
import { count, duration } from '../format/units';
import type { PlanReport } from './plan-job';
import type { SampleBatch } from './sample-batch';

function describeSample(sample: SampleBatch | undefined): string {
  if (!sample) return 'not taken';
  switch (sample.status) {
    case 'empty':
      return 'no rows left to select: a run would finish at once';
    case 'held':
      return 'skipped: a run of this job is inside a batch right now';
    case 'failed':
      return `failed: ${sample.reason}`;
    case 'measured': {
      const what = sample.mode === 'applied' ? 'selected, changed and verified' : 'selected';
      const verdict =
        sample.verified && !sample.verified.ok ? ` — VERIFICATION FAILED: ${sample.verified.reason}` : '';
      const note = sample.note ? ` (${sample.note})` : '';
      return `${count(sample.rows)} rows ${what} in ${duration(sample.durationMs)} (median of ${sample.attemptsMs.length}), each time rolled back${note}${verdict}`;
    }
  }
}

/** What a DDL statement refused for want of consent means here, when one is. */
function consentNote(report: PlanReport): string[] {
  const refused = report.checks.some((c) => !c.ok && c.severity !== 'warning' && c.name.startsWith('ddl:'));
  if (!refused) return [];
  const read = report.consentsFrom
    ? `consents were read from ${report.consentsFrom}`
    : 'no control state was read (none under .lowtide/; consents recorded on AWS are not read by plan), so no consent is seen';
  return [
    `a DDL statement above is refused until an operator consents to it: \`lowtide consent ${report.jobId} <fingerprint>\` records who and when, and a run that finds the consent passes it (${read}).`,
  ];
}

/** The human form of `lowtide plan`: what would run, what gates it, and how long it would take. */
export function formatPlan(report: PlanReport): string {
  const lines: string[] = [];
  lines.push(
    `plan for job '${report.jobId}' (${report.kind} on ${report.table}) — dry run, nothing is changed`,
  );
  lines.push('');
  lines.push('checks that gate execution:');
  const width = Math.max(...report.checks.map((c) => c.name.length), 5);
  for (const check of report.checks) {
    const mark = check.ok ? 'pass' : check.severity === 'warning' ? 'warn' : 'FAIL';
    lines.push(`  ${mark}  ${check.name.padEnd(width)}  ${check.reason}`);
  }
  lines.push(...consentNote(report));
  lines.push('');
  const { estimate } = report;
  lines.push(`estimated rows:      ${count(estimate.rows)}`);
  lines.push(
    `estimated batches:   ${count(estimate.batches)}${estimate.invocations === undefined ? '' : ` (transactions, each with its ledger row) in ${count(estimate.invocations)} apply steps`}`,
  );
  lines.push(
    `estimated duration:  ${estimate.durationMs === undefined ? 'unknown (no sample batch)' : duration(estimate.durationMs)}`,
  );
  lines.push(`sample batch:        ${describeSample(report.sample)}`);
  lines.push(
    `estimated writes:    ${
      report.writeEstimate
        ? `${formatBytes(report.writeEstimate.bytes)} (${report.writeEstimate.note})`
        : 'not estimated (no sample batch)'
    }`,
  );
  lines.push('');
  lines.push(
    report.ok
      ? 'preflight passed: a run would start.'
      : 'preflight refused: a run would not start (fix the FAIL lines above).',
  );
  return lines.join('\n');
}
