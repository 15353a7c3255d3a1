import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { InvalidControlInputError } from './errors';
import {
  BATCH_SK_PREFIX,
  batchSk,
  JOB_ITEM_SK,
  jobPk,
  MAX_BATCH_NO,
  RUN_SK_PREFIX,
  runSk,
} from './item-keys';
import { ATTR, clip, compact, initJobItem } from './job-item';
import { type RetryOptions, withRetry } from './retry';
import type { BatchRecord, RunOutcome, RunRecord } from './types';
import { UpdateExpression } from './update-expression';

export interface HistoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly batchLimit: number;
  readonly runLimit: number;
  readonly retry?: RetryOptions;
  readonly now: () => number;
}

const RUN_OUTCOMES: readonly RunOutcome[] = [
  'running',
  'completed',
  'paused',
  'aborted',
  'failed',
  'blocked',
  'lease-held',
  'window-closed',
  'continued',
];

/** How many of the newest runs startRun looks through to recognise a retried start. */
const RECENT_RUNS = 10;

/**
 * Batch and run history, as items beside the job item. Each append deletes the one record that just
 * fell out of the window, so the bound costs one write, not a query; every `limit / 5` appends a
 * keys-only query sweeps whatever a failed delete or a gap in the numbering left behind.
 */
export class History {
  constructor(private readonly options: HistoryOptions) {}

  async appendBatch(jobId: string, record: BatchRecord): Promise<void> {
    const n = record.batchNo;
    if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH_NO) {
      throw new InvalidControlInputError(`batch number ${n} must be an integer from 1 to ${MAX_BATCH_NO}`);
    }
    const lag = record.replicaLagSeconds;
    if (lag !== undefined && !(Number.isFinite(lag) && lag >= 0)) {
      throw new InvalidControlInputError(
        `replica lag ${lag} of batch ${n} must be a number of seconds, 0 or more (leave it out when unknown)`,
      );
    }
    const pk = jobPk(jobId);
    await this.put('appendBatch', { pk, sk: batchSk(n), ...compact(record) });
    // A record of several transactions skips batch numbers, so the one that just fell out of the
    // window is rarely a record: sweep the (few) keys below the window instead, on every append.
    const spans = record.firstBatchNo !== undefined && record.firstBatchNo < n;
    await this.trim(pk, BATCH_SK_PREFIX, batchSk, n, this.options.batchLimit, spans);
  }

  async listBatches(jobId: string, limit?: number): Promise<BatchRecord[]> {
    const items = await this.newest(jobPk(jobId), BATCH_SK_PREFIX, limit ?? this.options.batchLimit);
    return items.map(({ pk: _pk, sk: _sk, ...record }) => record as unknown as BatchRecord);
  }

  async startRun(jobId: string, executionId: string): Promise<void> {
    requireExecution(executionId);
    const pk = jobPk(jobId);
    // A retried start (Lambda at-least-once) must not record the run twice.
    if (await this.findRun(pk, executionId, RECENT_RUNS)) return;
    const runNo = await this.nextRunNo(jobId);
    const record: RunRecord = { executionId, startedAt: this.at(), outcome: 'running' };
    await this.put('startRun', { pk, sk: runSk(runNo), ...record });
    await this.trim(pk, RUN_SK_PREFIX, runSk, runNo, this.options.runLimit);
  }

  async endRun(jobId: string, executionId: string, outcome: RunOutcome, reason?: string): Promise<void> {
    requireExecution(executionId);
    if (!RUN_OUTCOMES.includes(outcome) || outcome === 'running') {
      throw new InvalidControlInputError(
        `run outcome '${outcome}' is not an end: use one of ${RUN_OUTCOMES.filter((o) => o !== 'running').join(', ')}`,
      );
    }
    const pk = jobPk(jobId);
    const endedAt = this.at();
    const found = await this.findRun(pk, executionId, this.options.runLimit);
    if (!found) {
      // The start was never recorded (or is long gone): keep the outcome rather than lose it.
      const runNo = await this.nextRunNo(jobId);
      const record: RunRecord = compact({
        executionId,
        startedAt: endedAt,
        endedAt,
        outcome,
        reason: clip(reason),
      });
      await this.put('endRun', { pk, sk: runSk(runNo), ...record });
      await this.trim(pk, RUN_SK_PREFIX, runSk, runNo, this.options.runLimit);
      return;
    }
    const u = new UpdateExpression()
      .set('endedAt', endedAt)
      .set('outcome', outcome)
      .setOrRemove('reason', clip(reason));
    u.condition(`attribute_exists(${u.name(ATTR.sk)})`);
    const { client, tableName } = this.options;
    try {
      await this.call('endRun', () =>
        client.send(new UpdateCommand({ TableName: tableName, Key: { pk, sk: found }, ...u.build() })),
      );
    } catch (error) {
      // Trimmed between the lookup and the write: an old run's end is not worth resurrecting it.
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    }
  }

  async listRuns(jobId: string, limit?: number): Promise<RunRecord[]> {
    const items = await this.newest(jobPk(jobId), RUN_SK_PREFIX, limit ?? this.options.runLimit);
    return items.map(({ pk: _pk, sk: _sk, ...record }) => record as unknown as RunRecord);
  }

  private at(): string {
    return new Date(this.options.now()).toISOString();
  }

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(operation, fn, this.options.retry);
  }

  private async put(operation: string, item: Record<string, unknown>): Promise<void> {
    const { client, tableName } = this.options;
    await this.call(operation, () => client.send(new PutCommand({ TableName: tableName, Item: item })));
  }

  /** Run numbers come from a counter on the job item, so they sort in start order and bound cheaply. */
  private async nextRunNo(jobId: string): Promise<number> {
    // The counter is not part of what read-decide-write operations decide on, so no version bump.
    const u = initJobItem(new UpdateExpression(), jobId, this.at())
      .setIfMissing(ATTR.version, 0)
      .add(ATTR.runSeq, 1);
    const { client, tableName } = this.options;
    const out = await this.call('startRun', () =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: jobPk(jobId), sk: JOB_ITEM_SK },
          ...u.build(),
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(out.Attributes?.[ATTR.runSeq]);
  }

  private async trim(
    pk: string,
    prefix: string,
    sk: (n: number) => string,
    newest: number,
    limit: number,
    sweepAlways = false,
  ): Promise<void> {
    const fallenOut = newest - limit;
    if (fallenOut < 1) return;
    await this.delete(pk, sk(fallenOut));
    if (!sweepAlways && newest % Math.max(1, Math.floor(limit / 5)) !== 0) return;
    const stale = await this.keysBetween(pk, prefix, sk(fallenOut));
    for (const key of stale) await this.delete(pk, key);
  }

  private async delete(pk: string, sk: string): Promise<void> {
    const { client, tableName } = this.options;
    await this.call('trimHistory', () =>
      client.send(new DeleteCommand({ TableName: tableName, Key: { pk, sk } })),
    );
  }

  /** Sort keys from the start of `prefix` up to `last`, paged by the last key seen (never an offset). */
  private async keysBetween(pk: string, prefix: string, last: string): Promise<string[]> {
    const keys: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query('trimHistory', {
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :first AND :last',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': pk, ':first': prefix, ':last': last },
        ProjectionExpression: '#sk',
        ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) keys.push(String(item.sk));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return keys;
  }

  private async newest(pk: string, prefix: string, limit: number): Promise<Record<string, unknown>[]> {
    if (!Number.isInteger(limit) || limit < 1)
      throw new InvalidControlInputError(`limit ${limit} must be a positive integer`);
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query('listHistory', {
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ScanIndexForward: false,
        Limit: limit - items.length,
        ExclusiveStartKey: startKey,
      });
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return items;
  }

  /** The sort key of the newest run of `executionId` among the newest `within` runs. */
  private async findRun(pk: string, executionId: string, within: number): Promise<string | undefined> {
    const runs = await this.newest(pk, RUN_SK_PREFIX, within);
    const run = runs.find((r) => r.executionId === executionId);
    return run ? String(run.sk) : undefined;
  }

  private query(operation: string, input: Omit<QueryCommandInput, 'TableName'>) {
    const { client, tableName } = this.options;
    return this.call(operation, () =>
      client.send(new QueryCommand({ TableName: tableName, ConsistentRead: true, ...input })),
    );
  }
}

function requireExecution(executionId: string): void {
  if (typeof executionId !== 'string' || executionId.trim() === '') {
    throw new InvalidControlInputError('execution id must be a non-empty string');
  }
}
