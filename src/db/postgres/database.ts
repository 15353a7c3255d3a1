import pg from 'pg';
import type { TableRef } from '../../job/identifiers';
import { readOnlyView } from '../read-only-view';
import type {
  BatchTxOptions,
  BatchTxResult,
  Database,
  QueryResult,
  ReplicaTarget,
  Row,
  Session,
  SessionOptions,
  Tx,
} from '../types';
import { runBatchTransaction } from './batch-transaction';
import { readColumns, readIndexes } from './catalog';
import { postgresDialect } from './dialect';
import { toDbError } from './errors';
import { explainSelection } from './explain';
import { runReadOnlyTransaction } from './read-only-transaction';
import { readAttachedStandbys, readReplicas } from './replica-lag';
import { publicResult, runQuery } from './run-query';
import { countActiveSessions, readServerRole, readServerVersion } from './server-info';
import { runSession } from './session';
import { estimateRows } from './table-estimate';

export interface PostgresDatabaseOptions {
  /** `postgres://user:password@host:5432/database`, with any libpq-style query parameters pg accepts. */
  readonly url: string;
  /** Connections kept open; a batch needs one, a health read beside it another. Default 2. */
  readonly poolSize?: number;
  /** Shown in pg_stat_activity, so an operator can tell lowtide's sessions apart. Default `lowtide`. */
  readonly applicationName?: string;
}

/** How long to wait for a connection before the batch fails as a connection error (and is retried). */
const CONNECT_TIMEOUT_MS = 10_000;

/** Every error leaving the adapter is a DbError, whatever part of it failed. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toDbError(err);
  }
}

/**
 * A lowtide Database on PostgreSQL through a `pg` pool. int8 and numeric values come back as
 * strings (pg's default, kept so keys stay exact); bigint bind values are sent as decimal text.
 */
export function createPostgresDatabase(options: PostgresDatabaseOptions): Database {
  const applicationName = options.applicationName ?? 'lowtide';
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 2,
    application_name: applicationName,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Detects a peer that vanished (failover, NAT timeout) instead of waiting on a dead socket.
    keepAlive: true,
  });
  // An idle pooled connection the server ended (restart, failover, pg_terminate_backend): the pool
  // drops it and the next checkout opens a new one. Unheard, the event would crash the process.
  pool.on('error', () => {});
  let closed: Promise<void> | undefined;

  const db: Database = {
    engine: 'postgres',
    dialect: postgresDialect,

    query<R = Row>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
      return guarded(async () => publicResult(await runQuery<R>(pool, text, values)));
    },

    serverVersion: () => guarded(() => readServerVersion(pool)),

    withBatchTransaction<T>(
      txOptions: BatchTxOptions,
      fn: (tx: Tx) => Promise<T>,
    ): Promise<BatchTxResult<T>> {
      return runBatchTransaction(pool, txOptions, fn);
    },

    withSession<T>(sessionOptions: SessionOptions, fn: (session: Session) => Promise<T>): Promise<T> {
      return runSession(pool, sessionOptions, fn);
    },

    withReadOnlyTransaction<T>(fn: (view: Database) => Promise<T>): Promise<T> {
      return runReadOnlyTransaction(pool, (conn) => fn(readOnlyView(db, conn)));
    },

    serverRole: () => guarded(() => readServerRole(pool)),
    columns: (table: TableRef) => guarded(() => readColumns(pool, table)),
    indexes: (table: TableRef) => guarded(() => readIndexes(pool, table)),
    explain: (text: string, values?: readonly unknown[]) =>
      guarded(() => explainSelection(pool, text, values)),
    estimateTableRows: (table: TableRef) => guarded(() => estimateRows(pool, table)),
    activeSessions: () => guarded(() => countActiveSessions(pool)),

    replicaLag(replicas: readonly ReplicaTarget[]) {
      return guarded(() =>
        replicas.length === 0 ? readAttachedStandbys(pool) : readReplicas(replicas, applicationName),
      );
    },

    close(): Promise<void> {
      closed ??= pool.end().catch((err: unknown) => {
        throw toDbError(err);
      });
      return closed;
    },
  };
  return db;
}
