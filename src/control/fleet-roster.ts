import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { jobPk } from './item-keys';
import { type RetryOptions, withRetry } from './retry';

/** The sort key of a fleet's roster, beside the job's own items under its partition key. */
export const FLEET_ROSTER_SK = 'FLEET';

/** One member of a fleet as the roster keeps it: enough to find its run, never its credentials. */
export interface FleetRosterMember {
  readonly name: string;
  /** The id the member's run keeps its control state under (`<job>_<member>`). */
  readonly runId: string;
  readonly engine: 'postgres' | 'mysql';
  /** Where it runs, with any password masked. */
  readonly where: string;
}

export interface FleetRoster {
  readonly jobId: string;
  /** The connection group the job's `database` names. */
  readonly group: string;
  readonly members: readonly FleetRosterMember[];
  readonly updatedAt: string;
}

/**
 * Where a fleet job lists its members, so `status`, `pause`, `resume` and `abort` given only the
 * job's id reach every member's run. Written whole by each fleet run (the roster is the group as
 * that run expanded it); the members' own control items stay the only thing their runs decide on.
 */
export class FleetRosterStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retry?: RetryOptions,
  ) {}

  async put(roster: Omit<FleetRoster, 'updatedAt'>, now = new Date()): Promise<FleetRoster> {
    const item = { ...roster, updatedAt: now.toISOString() };
    await withRetry(
      'putFleetRoster',
      () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: jobPk(roster.jobId), sk: FLEET_ROSTER_SK, ...item },
          }),
        ),
      this.retry ?? {},
    );
    return item;
  }

  async get(jobId: string): Promise<FleetRoster | undefined> {
    const out = await withRetry(
      'getFleetRoster',
      () =>
        this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: { pk: jobPk(jobId), sk: FLEET_ROSTER_SK },
            ConsistentRead: true,
          }),
        ),
      this.retry ?? {},
    );
    const item = out.Item;
    const members = item ? membersOf(item) : undefined;
    if (!item || !members) return undefined;
    return {
      jobId: String(item.jobId),
      group: String(item.group),
      members: members.map((m) => ({
        name: String(m.name),
        runId: String(m.runId),
        engine: m.engine === 'mysql' ? 'mysql' : 'postgres',
        where: String(m.where),
      })),
      updatedAt: String(item.updatedAt),
    };
  }
}

/**
 * A roster's members: a list locally, a JSON string when the deployed fleet state machine wrote it
 * (its PutItem builds the item with intrinsic functions, which can make a string of a list but not
 * a DynamoDB list of maps).
 */
function membersOf(item: Record<string, unknown>): FleetRosterMember[] | undefined {
  if (Array.isArray(item.members)) return item.members as FleetRosterMember[];
  if (typeof item.membersJson !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(item.membersJson);
    return Array.isArray(parsed) ? (parsed as FleetRosterMember[]) : undefined;
  } catch {
    return undefined;
  }
}
