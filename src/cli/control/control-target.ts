import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoControlStore } from '../../control/dynamo-store';
import { FleetRosterStore } from '../../control/fleet-roster';
import type { ControlStore } from '../../control/types';
import { type CliContext, stateDirOf } from '../context';
import { type AwsClients, type AwsTargetOptions, resolveAwsTargets, usesAws } from './aws-targets';
import { openLocalControl } from './local-control';

export interface ControlTargetOptions extends AwsTargetOptions {
  readonly region?: string;
}

/** A control store and a phrase saying which one, for messages. */
export interface ControlTarget {
  readonly store: ControlStore;
  readonly where: string;
  readonly local: boolean;
  /** Fleet jobs' member lists, in the same table. */
  readonly roster: FleetRosterStore;
  /** AWS only: the clients, for `start`. */
  readonly aws?: AwsClients & { readonly stateMachineArn?: string };
  close(): Promise<void>;
}

export interface OwnedAwsClients extends AwsClients {
  readonly documentClient: DynamoDBDocumentClient;
  destroy(): void;
}

export function awsClients(region: string | undefined): OwnedAwsClients {
  // Region and credentials come from the usual AWS settings (AWS_REGION, AWS_PROFILE, SSO, ...).
  const dynamo = new DynamoDBClient(region ? { region } : {});
  const sfn = new SFNClient(region ? { region } : {});
  const documentClient = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    dynamo,
    sfn,
    documentClient,
    destroy: () => {
      documentClient.destroy();
      dynamo.destroy();
      sfn.destroy();
    },
  };
}

/**
 * The control state a command acts on: AWS when `--stack`, `--table` or `--state-machine` is
 * given, else the local state under `.lowtide/` (served by a running `lowtide run`, or opened
 * here when none runs).
 */
export async function openControlTarget(
  ctx: Pick<CliContext, 'cwd' | 'env'>,
  options: ControlTargetOptions,
  needs: { stateMachine?: boolean } = {},
): Promise<ControlTarget> {
  if (usesAws(options)) {
    const clients = awsClients(options.region);
    const close = async () => clients.destroy();
    try {
      const targets = await resolveAwsTargets(options, clients, needs);
      return {
        store: new DynamoControlStore({ client: clients.documentClient, tableName: targets.tableName }),
        where: `DynamoDB table ${targets.tableName}`,
        local: false,
        roster: new FleetRosterStore(clients.documentClient, targets.tableName),
        aws: { ...clients, stateMachineArn: targets.stateMachineArn },
        close,
      };
    } catch (error) {
      await close();
      throw error;
    }
  }
  const dir = stateDirOf(ctx);
  const control = await openLocalControl(dir);
  return {
    store: control.store,
    where: `local control state (${dir})`,
    local: true,
    roster: new FleetRosterStore(control.clients.documentClient, control.tableName),
    close: () => control.close(),
  };
}
