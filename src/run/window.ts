import type { ExecutionInput } from '../run/state';

/**
 * When the run must stop: `endsAt`, or `scheduledAt` (else the execution's start) plus
 * `durationMinutes`. Undefined without a window: the runtime budget alone bounds the run.
 */
export function windowEndsAt(window: ExecutionInput['window'], executionStart: Date): Date | undefined {
  if (!window) return undefined;
  if (window.endsAt) return new Date(window.endsAt);
  if (window.durationMinutes === undefined) return undefined;
  const start = window.scheduledAt ? new Date(window.scheduledAt) : executionStart;
  return new Date(start.getTime() + window.durationMinutes * 60_000);
}
