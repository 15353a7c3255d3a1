import type { ProjectRehearsal } from '../../../rehearsal/project/rehearse-project';
import type { DemoVerification } from '../demo/seed';
import { count } from '../format/units';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What `lowtide rehearse` prints: per job its ending and rows, per function its bundle and init. */
export function formatRehearsal(rehearsal: ProjectRehearsal, checks: readonly DemoVerification[]): string {
  const { deployed } = rehearsal;
  const lines = [
    `synthesized in ${seconds(rehearsal.synthMs)}; deployed ${deployed.functions} functions, ${deployed.rules} rules, ${deployed.schedules} schedules into the local AWS`,
    '',
  ];
  for (const job of rehearsal.jobs) {
    const ending = job.ok ? 'completed' : 'FAILED';
    const rows = job.rowsChanged === undefined ? '' : `, ${count(job.rowsChanged)} rows changed`;
    lines.push(
      `job ${job.jobId}: ${ending} (${job.status} ${job.lastState ?? ''})${rows}, ${job.executions} execution${job.executions === 1 ? '' : 's'}, ${seconds(job.durationMs)}`,
    );
    for (const reason of job.reasons ?? []) lines.push(`  ${reason}`);
    if (job.error) lines.push(`  error: ${job.error}${job.cause ? `: ${job.cause}` : ''}`);
  }
  for (const check of checks) {
    lines.push(
      check.ok
        ? `example table: ${count(check.changed)} rows changed, each exactly once`
        : `example table WRONG: ${JSON.stringify(check)}`,
    );
  }
  for (const denial of rehearsal.denied)
    lines.push(`denied by IAM: ${denial.role} ${denial.action} on ${denial.resource}: ${denial.reason}`);
  lines.push(
    '',
    'function bundles (JS and other bytes, init = import in a fresh process; cold = first invocation):',
  );
  const width = Math.max(8, ...rehearsal.bundles.map((b) => b.name.length));
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  for (const b of rehearsal.bundles) {
    const cold = b.coldStartMs === undefined ? '' : `  cold ${b.coldStartMs} ms`;
    lines.push(
      `  ${b.name.padEnd(width)}  ${mb(b.jsBytes).padStart(8)} JS  ${mb(b.otherBytes).padStart(8)} other  init ${b.initMs.toFixed(0)} ms${cold}`,
    );
  }
  if (rehearsal.logTail.length > 0) lines.push('', "the functions' last log lines:", ...rehearsal.logTail);
  const ok = rehearsal.ok && checks.every((check) => check.ok);
  lines.push('', ok ? 'rehearsal passed.' : 'rehearsal FAILED: see above.');
  return lines.join('\n');
}
