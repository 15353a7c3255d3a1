import { z } from 'zod';

/**
 * A fleet job's Map settings, as the fleet state machine's Map state takes them: MaxConcurrency
 * and ToleratedFailurePercentage ("Map state in Distributed mode", AWS Step Functions Developer
 * Guide). They apply only when the job's `database` names a connection group.
 */
export const fleetOptions = z
  .object({
    /** Members running at once. Default 1: one database at a time, the gentlest. */
    maxConcurrency: z.number().int().min(1).max(1000).default(1),
    /**
     * The share of members (0 to 100) that may fail with the fleet still judged by the rest.
     * Default 0: any failed member fails the fleet (the other members still run to their ends).
     */
    toleratedFailurePercentage: z.number().min(0).max(100).default(0),
  })
  .strict();

export type FleetOptions = z.output<typeof fleetOptions>;
