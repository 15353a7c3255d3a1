import { memberSpec } from '../../job/fleet-member';
import type { JobSpec } from '../../job/types';
import { CONNECTIONS_FILE } from '../database-url';
import { BadInputError } from '../errors';
import { checkMemberRunIds, readConnectionGroup } from './connection-groups';

/**
 * One member of a fleet job as a single run: the member's own job (`<job>_<member>`, so its
 * ledger, audit data and control state are the member's) on the member's URL from the group.
 */
export async function fleetMemberTarget(
  cwd: string,
  spec: JobSpec,
  member: string,
  databaseUrl: string | undefined,
): Promise<{ spec: JobSpec; databaseUrl: string }> {
  if (databaseUrl !== undefined) {
    throw new BadInputError('--member takes the member’s URL from its connection group: drop --database-url');
  }
  const group = await readConnectionGroup(cwd, spec.database);
  if (!group) {
    throw new BadInputError(
      `job '${spec.id}' runs on '${spec.database}', which is not a connection group in ${CONNECTIONS_FILE}: --member is for a fleet job`,
    );
  }
  checkMemberRunIds(spec.id, group);
  const found = group.members.find((m) => m.name === member);
  if (!found) {
    throw new BadInputError(
      `"${group.name}" has no member '${member}': its members are ${group.members.map((m) => m.name).join(', ')}`,
    );
  }
  return { spec: memberSpec(spec, found), databaseUrl: found.url };
}
