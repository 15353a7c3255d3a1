import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlTable, type LocalDynamo, startLocalDynamo } from '../../src/control';
import { DynamoControlStore } from '../../src/control/dynamo-store';
import { FleetRosterStore } from '../../src/control/fleet-roster';
import {
  type FleetExecutionInput,
  type FleetMachineResult,
  runFleetDefinition,
} from '../../src/runtime/fleet/fleet-machine';
import { parseJson, REPO_ROOT, runCli } from '../cli/support/cli-process';

const STACK = 'fleet2-prod';
const TABLE = 'fleet2-deployed-control';
const FLEET_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:fleet2-prod-fleet-job';
const CONFIG = path.join('test', 'fleet', 'fixtures', 'deployed', 'lowtide.config.ts');

async function body(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

/**
 * A Step Functions endpoint (AWS JSON 1.0) for the CLI's --stack lookups and StartExecution:
 * a started fleet execution runs the deployed fleet definition here, its roster step writing to
 * the control table in dynalite and each member's nested run creating that member's job item.
 */
function stepFunctionsEndpoint(dynamo: LocalDynamo) {
  const store = new DynamoControlStore({ client: dynamo.documentClient, tableName: TABLE });
  const executions: Promise<FleetMachineResult>[] = [];
  const started: Record<string, unknown>[] = [];
  const server: Server = createServer(async (request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1];
    const input = await body(request);
    const send = (value: unknown) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(value));
    };
    if (operation === 'ListStateMachines') {
      return send({
        stateMachines: [
          {
            name: 'fleet2-prod-maintenance-job',
            stateMachineArn: FLEET_MACHINE.replace('fleet-job', 'maintenance-job'),
            type: 'STANDARD',
            creationDate: 0,
          },
          {
            name: 'fleet2-prod-fleet-job',
            stateMachineArn: FLEET_MACHINE,
            type: 'STANDARD',
            creationDate: 0,
          },
        ],
      });
    }
    if (operation === 'ListTagsForResource') {
      return send({ tags: [{ key: 'aws:cloudformation:stack-name', value: STACK }] });
    }
    if (operation === 'StartExecution') {
      started.push(input);
      executions.push(
        runFleetDefinition({
          input: JSON.parse(String(input.input)) as FleetExecutionInput,
          executionName: String(input.name),
          controlTableName: TABLE,
          putItem: async (put) => {
            await dynamo.client.send(new PutItemCommand(put));
          },
          runMember: async (execution) => {
            await store.ensureJob(execution.jobId);
            return { Status: 'SUCCEEDED', ExecutionArn: `arn:${execution.jobId}`, Output: {} };
          },
        }),
      );
      return send({
        executionArn: `${FLEET_MACHINE.replace(':stateMachine:', ':execution:')}:${String(input.name)}`,
        startDate: 0,
      });
    }
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ __type: 'UnknownOperationException', message: String(operation) }));
  });
  return { server, executions, started, store };
}

describe('a deployed fleet: start records the roster, and the --table/--stack forms reach every member', () => {
  let dynamo: LocalDynamo;
  let endpoint: ReturnType<typeof stepFunctionsEndpoint>;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env, cwd: REPO_ROOT });

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    await createControlTable(dynamo.client, TABLE);
    endpoint = stepFunctionsEndpoint(dynamo);
    await new Promise<void>((ready) => endpoint.server.listen(0, '127.0.0.1', ready));
    const port = (endpoint.server.address() as AddressInfo).port;
    env = {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${port}`,
    };
  });

  afterAll(async () => {
    await new Promise((closed) => endpoint?.server.close(closed));
    await dynamo?.stop();
  });

  it('starts the fleet state machine with its members; its first step records the roster', async () => {
    const start = await cli('start', 'fleet2-orders', '--stack', STACK, '--config', CONFIG, '--json');
    expect(start.code, start.stderr).toBe(0);
    expect(parseJson(start)).toMatchObject({ ok: true, fleet: true, stateMachineArn: FLEET_MACHINE });
    expect(endpoint.started).toHaveLength(1);
    const input = JSON.parse(String(endpoint.started[0]!.input));
    expect(input).toMatchObject({
      jobId: 'fleet2-orders',
      group: 'shards',
      members: [
        { member: 'shard-a', runId: 'fleet2-orders_shard-a' },
        { member: 'shard-b', runId: 'fleet2-orders_shard-b' },
      ],
      maxConcurrency: 2,
      window: {},
    });
    const machine = await endpoint.executions[0]!;
    expect(machine.status).toBe('SUCCEEDED');
    expect(machine.results.map((r) => r.member)).toEqual(['shard-a', 'shard-b']);

    const roster = await new FleetRosterStore(dynamo.documentClient, TABLE).get('fleet2-orders');
    expect(roster).toMatchObject({
      jobId: 'fleet2-orders',
      group: 'shards',
      members: [
        {
          name: 'shard-a',
          runId: 'fleet2-orders_shard-a',
          engine: 'postgres',
          where: 'db-a.internal:5432/orders',
        },
        {
          name: 'shard-b',
          runId: 'fleet2-orders_shard-b',
          engine: 'mysql',
          where: 'db-b.internal:3306/orders',
        },
      ],
    });
  });

  it('status, pause, resume, abort and history take the fleet job and --member against the table', async () => {
    const status = await cli('status', 'fleet2-orders', '--table', TABLE, '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.stringify(parseJson(status))).toContain('fleet2-orders_shard-b');

    const one = await cli('pause', 'fleet2-orders', '--member', 'shard-b', '--table', TABLE, '--json');
    expect(one.code, one.stderr).toBe(0);
    expect((await endpoint.store.getJob('fleet2-orders_shard-b'))?.pauseRequests.length).toBeGreaterThan(0);
    expect((await endpoint.store.getJob('fleet2-orders_shard-a'))?.pauseRequests.length).toBe(0);

    const all = await cli('pause', 'fleet2-orders', '--table', TABLE, '--json');
    expect(all.code, all.stderr).toBe(0);
    expect(parseJson<{ members: unknown[] }>(all).members).toHaveLength(2);
    expect((await endpoint.store.getJob('fleet2-orders_shard-a'))?.pauseRequests.length).toBeGreaterThan(0);

    const resumed = await cli('resume', 'fleet2-orders', '--table', TABLE, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const runId of ['fleet2-orders_shard-a', 'fleet2-orders_shard-b'])
      expect((await endpoint.store.getJob(runId))?.pauseRequests.length).toBe(0);

    const aborted = await cli('abort', 'fleet2-orders', '--member', 'shard-a', '--table', TABLE, '--json');
    expect(aborted.code, aborted.stderr).toBe(0);
    expect((await endpoint.store.getJob('fleet2-orders_shard-a'))?.abortRequest).toBeTruthy();
    expect((await endpoint.store.getJob('fleet2-orders_shard-b'))?.abortRequest).toBeFalsy();

    const history = await cli('history', 'fleet2-orders', '--member', 'shard-b', '--table', TABLE, '--json');
    expect(history.code, history.stderr).toBe(0);

    const unknown = await cli('pause', 'fleet2-orders', '--member', 'shard-z', '--table', TABLE);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("has no member 'shard-z': its members are shard-a, shard-b");
  });

  it('a roster a later fleet execution wrote is kept: the conditional write fails and the fleet runs on', async () => {
    const rosters = new FleetRosterStore(dynamo.documentClient, TABLE);
    await rosters.put(
      {
        jobId: 'fleet2-later',
        group: 'shards',
        members: [{ name: 'x', runId: 'fleet2-later_x', engine: 'postgres', where: 'later' }],
      },
      new Date('2999-01-01T00:00:00Z'),
    );
    const ran: string[] = [];
    const result = await runFleetDefinition({
      input: {
        jobId: 'fleet2-later',
        group: 'shards',
        roster: [{ name: 'a', runId: 'fleet2-later_a', engine: 'postgres', where: 'earlier' }],
        members: [{ member: 'a', runId: 'fleet2-later_a' }],
        maxConcurrency: 1,
        toleratedFailurePercentage: 0,
        window: {},
      },
      controlTableName: TABLE,
      putItem: async (put) => {
        await dynamo.client.send(new PutItemCommand(put));
      },
      runMember: async (execution) => {
        ran.push(execution.jobId);
        return { Status: 'SUCCEEDED', ExecutionArn: 'arn:x', Output: {} };
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(ran).toEqual(['fleet2-later_a']);
    expect((await rosters.get('fleet2-later'))?.members.map((m) => m.where)).toEqual(['later']);
  });
});
