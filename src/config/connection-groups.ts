import { z } from 'zod';
import { memberSpec } from '../job/fleet-member';
import { MAX_MEMBER_RUN_ID, MEMBER_NAME, memberRunId } from '../job/job-id';
import type { JobSpec } from '../job/types';
import { type Connection, defaultPort } from './connection';

/**
 * A connection group: a named list of the deployment's connections, each a member of the fleet a
 * job runs on when its `database` names the group. A member is named by its connection's name, so
 * that name must also be a member name (lowercase letters, digits and -).
 */
export const connectionGroupSchema = z
  .array(
    z
      .string()
      .regex(
        MEMBER_NAME,
        'must be the name of a connection that is also a member name: lowercase letters, digits and -, at most 32 characters',
      ),
  )
  .min(1, 'must list at least one connection');

interface GroupsConfig {
  readonly connections: Readonly<Record<string, Connection>>;
  readonly connectionGroups: Readonly<Record<string, readonly string[]>>;
}

export interface ConfigIssueAt {
  readonly path: (string | number)[];
  readonly message: string;
}

/** What is wrong with the groups themselves: unknown or repeated members, a name shared with a connection. */
export function connectionGroupIssues(config: GroupsConfig): ConfigIssueAt[] {
  const issues: ConfigIssueAt[] = [];
  for (const [name, members] of Object.entries(config.connectionGroups)) {
    if (config.connections[name]) {
      issues.push({
        path: ['connectionGroups', name],
        message: `'${name}' is also a connection: a job's database must mean one or the other, so rename the group`,
      });
    }
    const seen = new Set<string>();
    members.forEach((member, i) => {
      if (!config.connections[member]) {
        issues.push({
          path: ['connectionGroups', name, i],
          message: `names connection '${member}', which is not in connections (known: ${Object.keys(config.connections).join(', ')})`,
        });
      }
      if (seen.has(member))
        issues.push({ path: ['connectionGroups', name, i], message: `'${member}' is listed twice` });
      seen.add(member);
    });
  }
  return issues;
}

/** What is wrong with a fleet job on its group: a member run id too long for where job ids go. */
export function fleetJobIssues(job: JobSpec, members: readonly string[]): string[] {
  return members
    .map((m) => memberRunId(job.id, m))
    .filter((id) => id.length > MAX_MEMBER_RUN_ID)
    .map(
      (id) =>
        `runs member '${id}', ${id.length} characters; at most ${MAX_MEMBER_RUN_ID}: shorten the job id or the connection's name`,
    );
}

/** The member runs of a job whose `database` names a group (none for a job on one connection). */
export function fleetMembersOf(config: GroupsConfig, job: JobSpec): JobSpec[] {
  const members = config.connectionGroups[job.database];
  if (!members) return [];
  return members.map((name) => {
    const connection = config.connections[name]!;
    return memberSpec(job, {
      name,
      engine: connection.engine,
      connection: name,
    });
  });
}

/**
 * The fleet state machine's input for a fleet job, but for its window (the schedule's, or none):
 * the members in the group's order with their run ids, the roster its first step records (each
 * member's engine and endpoint, never credentials), and the job's Map settings. The fleet
 * definition reads `members`, `group`, `roster`, `maxConcurrency` and
 * `toleratedFailurePercentage` by path.
 */
export function fleetExecutionInputOf(config: GroupsConfig, job: JobSpec) {
  const members = config.connectionGroups[job.database] ?? [];
  return {
    jobId: job.id,
    group: job.database,
    members: members.map((member) => ({ member, runId: memberRunId(job.id, member) })),
    roster: members.map((member) => {
      const c = config.connections[member]!;
      return {
        name: member,
        runId: memberRunId(job.id, member),
        engine: c.engine,
        where: `${c.host}:${c.port ?? defaultPort(c.engine)}/${c.database}`,
      };
    }),
    maxConcurrency: job.fleet.maxConcurrency,
    toleratedFailurePercentage: job.fleet.toleratedFailurePercentage,
  };
}
