import type { LocalRunChain } from '../../runtime/local/types';
import { EXIT, type ExitCode } from '../errors';

export type RunOutcomeName =
  | 'completed'
  | 'blocked'
  | 'paused'
  | 'aborted'
  | 'window-closed'
  | 'lease-held'
  | 'dry-run'
  /** The execution itself was stopped (a second Ctrl-C, like StopExecution in the console). */
  | 'stopped'
  | 'failed';

export interface RunOutcome {
  readonly outcome: RunOutcomeName;
  /** Why, in the state machine's words, when it says. */
  readonly reason?: string;
  readonly code: ExitCode;
}

const BY_EXIT: Readonly<Record<string, RunOutcomeName>> = {
  Completed: 'completed',
  Blocked: 'blocked',
  Paused: 'paused',
  Aborted: 'aborted',
  WindowClosed: 'window-closed',
  LeaseHeld: 'lease-held',
  DryRunDone: 'dry-run',
};

const CODES: Readonly<Record<RunOutcomeName, ExitCode>> = {
  completed: EXIT.ok,
  'dry-run': EXIT.ok,
  blocked: EXIT.blocked,
  paused: EXIT.stopped,
  aborted: EXIT.stopped,
  'window-closed': EXIT.stopped,
  'lease-held': EXIT.stopped,
  stopped: EXIT.stopped,
  failed: EXIT.failure,
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** How a local run ended, in the CLI's terms, with its exit code. */
export function runOutcome(
  chain: Pick<LocalRunChain, 'status' | 'exit' | 'output' | 'error' | 'cause'>,
): RunOutcome {
  if (chain.status === 'ABORTED') {
    return {
      outcome: 'stopped',
      reason:
        'the execution was stopped; the batch in flight committed or rolled back on its own, and the checkpoint holds',
      code: CODES.stopped,
    };
  }
  if (chain.status !== 'SUCCEEDED') {
    const reason =
      [chain.error, chain.cause].filter(Boolean).join(': ') || `the execution ended ${chain.status}`;
    return { outcome: 'failed', reason, code: CODES.failed };
  }
  const outcome = BY_EXIT[chain.exit ?? ''] ?? 'failed';
  const output = chain.output ?? {};
  let reason: string | undefined;
  if (outcome === 'blocked') {
    const reasons = (output.blocked as { reasons?: unknown } | undefined)?.reasons;
    reason = Array.isArray(reasons) ? reasons.map(String).join('; ') : undefined;
  } else if (outcome === 'lease-held') {
    reason = text(output.heldBy) && `another execution owns the job: ${String(output.heldBy)}`;
  } else if (outcome === 'failed') {
    reason = `the execution ended in state ${chain.exit ?? 'unknown'}`;
  } else {
    reason = text((output.stop as { reason?: unknown } | undefined)?.reason);
  }
  return { outcome, reason, code: CODES[outcome] };
}
