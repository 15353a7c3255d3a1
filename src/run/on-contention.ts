import type { Lease } from '../control/types';
import type { RunState } from './state';

/** A start that found the lease held: the run ends as LeaseHeld, naming the holder until when. */
export type LeaseHeld = RunState & {
  readonly decision: 'lease-held';
  readonly heldBy: string;
  readonly heldUntil: string;
};

/** Another live execution holds the job's lease: this one changes nothing and ends (a duplicate start). */
export function leaseHeld(run: RunState, lease: Pick<Lease, 'owner' | 'expiresAt'>): LeaseHeld {
  return {
    ...run,
    decision: 'lease-held',
    heldBy: lease.owner,
    heldUntil: new Date(lease.expiresAt).toISOString(),
  };
}
