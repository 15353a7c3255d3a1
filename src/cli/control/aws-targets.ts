import {
  DescribeTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
} from '@aws-sdk/client-dynamodb';
import { ListStateMachinesCommand, ListTagsForResourceCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { BadInputError } from '../errors';

/** `--stack`, `--table`, `--state-machine`: which deployment a command talks to. */
export interface AwsTargetOptions {
  readonly stack?: string;
  readonly table?: string;
  readonly stateMachine?: string;
}

export interface AwsClients {
  readonly dynamo: Pick<DynamoDBClient, 'send'>;
  readonly sfn: Pick<SFNClient, 'send'>;
}

export interface AwsTargets {
  readonly tableName: string;
  /** Only resolved when the command needs it (`start`). */
  readonly stateMachineArn?: string;
}

/** CloudFormation tags every resource of a stack carries; --stack finds lowtide's by them. */
const STACK_TAG = 'aws:cloudformation:stack-name';
const LOGICAL_ID_TAG = 'aws:cloudformation:logical-id';

export function usesAws(options: AwsTargetOptions): boolean {
  return Boolean(options.stack || options.table || options.stateMachine);
}

/**
 * Resolves the control table (and, when asked, the state machine) of a deployment. `--table` and
 * `--state-machine` are taken as given; `--stack NAME` finds the DynamoDB table and the state
 * machine that CloudFormation tagged with that stack name (the control table's logical id holds
 * `ControlTable`). Ambiguity or absence is bad input naming the flag that settles it.
 */
export async function resolveAwsTargets(
  options: AwsTargetOptions,
  clients: AwsClients,
  needs: { stateMachine?: boolean } = {},
): Promise<AwsTargets> {
  const tableName =
    options.table ?? (options.stack ? await findControlTable(options.stack, clients.dynamo) : undefined);
  if (!tableName) throw new BadInputError('name the deployment: pass --stack NAME or --table NAME');
  if (!needs.stateMachine) return { tableName };
  const stateMachineArn =
    options.stateMachine ?? (options.stack ? await findStateMachine(options.stack, clients.sfn) : undefined);
  if (!stateMachineArn) {
    throw new BadInputError(
      'name the state machine: pass --stack NAME or --state-machine ARN (the stack output StateMachineArn)',
    );
  }
  return { tableName, stateMachineArn };
}

async function listTableNames(dynamo: AwsClients['dynamo']): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await dynamo.send(new ListTablesCommand({ ExclusiveStartTableName: start, Limit: 100 }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  return names;
}

export async function findControlTable(stack: string, dynamo: AwsClients['dynamo']): Promise<string> {
  // CloudFormation names a table <stack>-<logical id>-<suffix> unless the stack set a name.
  const candidates = (await listTableNames(dynamo)).filter((name) => name.startsWith(`${stack}-`));
  const found: string[] = [];
  for (const name of candidates) {
    const described = await dynamo.send(new DescribeTableCommand({ TableName: name }));
    const arn = described.Table?.TableArn;
    if (!arn) continue;
    const tags = await dynamo.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
    const tag = (key: string) => tags.Tags?.find((t) => t.Key === key)?.Value;
    if (tag(STACK_TAG) === stack && (tag(LOGICAL_ID_TAG) ?? '').includes('ControlTable')) found.push(name);
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new BadInputError(
      `no lowtide control table found in stack '${stack}' in this region: check the stack name and AWS_REGION, or pass --table (the stack output ControlTableName)`,
    );
  }
  throw new BadInputError(
    `stack '${stack}' has ${found.length} control tables (${found.join(', ')}): pass --table NAME`,
  );
}

/** The per-run machine's name ends so (src/config/names.ts); the fleet machine's ends `-fleet-job`. */
export const MAINTENANCE_MACHINE_SUFFIX = '-maintenance-job';
export const FLEET_MACHINE_SUFFIX = '-fleet-job';

export async function findStateMachine(
  stack: string,
  sfn: AwsClients['sfn'],
  suffix = MAINTENANCE_MACHINE_SUFFIX,
): Promise<string> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken: token, maxResults: 100 }));
    for (const machine of page.stateMachines ?? []) {
      if (!machine.stateMachineArn || !machine.name?.endsWith(suffix)) continue;
      const tags = await sfn.send(new ListTagsForResourceCommand({ resourceArn: machine.stateMachineArn }));
      if (tags.tags?.some((t) => t.key === STACK_TAG && t.value === stack))
        found.push(machine.stateMachineArn);
    }
    token = page.nextToken;
  } while (token);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    const which = suffix === FLEET_MACHINE_SUFFIX ? 'fleet state machine' : 'state machine';
    throw new BadInputError(
      `no lowtide ${which} found in stack '${stack}' in this region: check the stack name and AWS_REGION, or pass --state-machine (the stack output ${suffix === FLEET_MACHINE_SUFFIX ? 'FleetStateMachineArn' : 'StateMachineArn'})`,
    );
  }
  throw new BadInputError(
    `stack '${stack}' has ${found.length} lowtide state machines: pass --state-machine ARN`,
  );
}
