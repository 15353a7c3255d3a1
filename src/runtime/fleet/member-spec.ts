import type { Engine } from '../../db/types';
import { memberRunId } from '../../job/job-id';
import type { JobSpec } from '../../job/types';

/** What a member run needs to know of its member: the rest (its URL, its credentials) is the runtime's. */
export interface MemberTarget {
  readonly name: string;
  readonly engine: Engine;
  /** Alarms that pause this member only, added to the job's own. */
  readonly alarms?: readonly string[];
}

/**
 * The job as one member of its fleet runs it: under the member's run id (so its lease, advisory
 * lock, ledger rows, checkpoint and history are its own), on the connection of the same name, with
 * the member's alarms added to the job's. The engine is the member's server's: a fleet may mix
 * engines when the job's SQL reads the same on both, and a member where it does not fails its
 * preflight alone.
 */
export function memberSpec(spec: JobSpec, member: MemberTarget): JobSpec {
  const id = memberRunId(spec.id, member.name);
  const alarms = [...new Set([...spec.health.alarms, ...(member.alarms ?? [])])];
  return { ...spec, id, database: id, engine: member.engine, health: { ...spec.health, alarms } } as JobSpec;
}
