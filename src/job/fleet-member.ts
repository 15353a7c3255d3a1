import type { Engine } from '../db/types';
import { memberRunId } from './job-id';
import type { JobSpec } from './types';

/** What a member run needs to know of its member: the rest (its URL, its credentials) is the runtime's. */
export interface MemberTarget {
  readonly name: string;
  readonly engine: Engine;
  /** Alarms that pause this member only, added to the job's own. */
  readonly alarms?: readonly string[];
  /**
   * The connection the member runs on. Default: the member run's id (the local runtime names each
   * member's URL so); a deployment names the member's connection in its config.
   */
  readonly connection?: string;
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
  const database = member.connection ?? id;
  return { ...spec, id, database, engine: member.engine, health: { ...spec.health, alarms } } as JobSpec;
}
