import type { TableRef } from '../sql/identifiers';

export type Engine = 'postgres' | 'mysql';

/**
 * A key as lowtide carries it between batches, in checkpoints, state payloads, history and the
 * ledger: an opaque string, written and read only by the job's key codec (src/engine/key-codec.ts).
 * A one-column key is its value's canonical text (integers in decimal, bigint-safe; strings and
 * UUIDs as they are; timestamps at full precision); a composite or binary key is a JSON array of
 * per-column canonical texts, each tagged with what it is (see key-codec.ts). `displayKey` shows
 * either readably.
 */
export type Key = string;

export type Row = Record<string, unknown>;

export interface QueryResult<R = Row> {
  readonly rows: R[];
  /** Rows returned by a SELECT, or rows affected by INSERT/UPDATE/DELETE. */
  readonly rowCount: number;
}

/** Dialect-specific spelling; everything that differs between the engines in plain SQL text. */
export interface Dialect {
  readonly engine: Engine;
  /** Quotes a name that already passed identifier validation (throws on anything else). */
  quoteIdent(name: string): string;
  quoteTable(ref: TableRef): string;
  /** The n-th (1-based) bind placeholder: `$n` or `?`. */
  placeholder(n: number): string;
}

export interface Queryable {
  readonly dialect: Dialect;
  query<R = Row>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
}

/** A connection inside one batch transaction. Never kept beyond the callback. */
export interface Tx extends Queryable {
  /** Server-side connection id, for diagnostics and tests (PostgreSQL backend pid, MySQL connection id). */
  readonly connectionId: number;
}

export interface BatchTxOptions {
  /** Advisory lock name for the job; taken without waiting. */
  readonly lockName: string;
  /**
   * The name already says which database it guards (a job's lock names its table's database), so
   * MySQL, whose user locks are server-wide, takes it as it is instead of adding the connection's database.
   */
  readonly lockNamesDatabase?: boolean;
  /** Longest wait for a row or metadata lock. MySQL/MariaDB take whole seconds: rounded up, at least 1 s. */
  readonly lockTimeoutMs: number;
  /**
   * Longest run of one statement. MySQL's max_execution_time bounds only SELECTs; PostgreSQL and
   * MariaDB bound every statement.
   */
  readonly statementTimeoutMs: number;
}

/** Session timeouts for statements that must run outside any transaction (e.g. CREATE INDEX CONCURRENTLY). */
export interface SessionOptions {
  /** Longest wait for a row or metadata lock. MySQL/MariaDB take whole seconds: rounded up, at least 1 s. */
  readonly lockTimeoutMs: number;
  /** Longest run of one statement (MariaDB max_statement_time; MySQL has no general DDL bound). */
  readonly statementTimeoutMs: number;
}

/** One dedicated connection in autocommit mode. Never kept beyond the callback. */
export interface Session extends Queryable {
  /** Server-side connection id (PostgreSQL backend pid, MySQL connection id). */
  readonly connectionId: number;
}

export type BatchTxResult<T> = { readonly held: true } | { readonly held: false; readonly value: T };

export interface ColumnInfo {
  readonly name: string;
  /**
   * The server's type name without length or precision, lowercased (e.g. `bigint`, `uuid`). Each
   * engine spells types its own way: PostgreSQL gives SQL-standard names (`integer`,
   * `character varying`, `timestamp with time zone`), MySQL its DATA_TYPE (`int`, `varchar`).
   */
  readonly dataType: string;
  readonly nullable: boolean;
  /** MySQL's COLUMN_TYPE, with length, precision, `unsigned` and enum values, e.g. `decimal(20,4) unsigned`. */
  readonly columnType?: string;
  /** The column's collation (text types), or undefined. */
  readonly collation?: string;
  /** MySQL: the column's character set (text types). */
  readonly charset?: string;
  /** PostgreSQL: false for a nondeterministic collation (e.g. ICU case-insensitive), whose equal values differ. */
  readonly collationDeterministic?: boolean;
  /** PostgreSQL: the type's kind beyond its name (`enum`, `domain`, `base`, ...; pg_type.typtype spelled out). */
  readonly typeKind?: 'base' | 'enum' | 'domain' | 'composite' | 'range' | 'other';
}

export interface IndexInfo {
  readonly name: string;
  readonly unique: boolean;
  /** The table's primary key. */
  readonly primary?: boolean;
  /** Column names in index order. */
  readonly columns: readonly string[];
}

export interface ServerRole {
  /** The server refuses writes (PostgreSQL hot standby or default_transaction_read_only; MySQL read_only). */
  readonly readOnly: boolean;
  /** The server is a replica of another. */
  readonly replica: boolean;
  /** A sentence an operator can act on. */
  readonly detail: string;
}

export interface SelectionPlan {
  /** The plan reads the whole table (sequential / full scan) instead of an index. */
  readonly fullScan: boolean;
  /** The planner's estimate of rows the plan touches in the table. */
  readonly estimatedRows: number;
  /** The plan summarised, for the operator. */
  readonly summary: string;
}

export interface ReplicaLag {
  /** The replica's name (from the connection config) or its address. */
  readonly replica: string;
  /** Seconds behind the primary; null when it cannot be read, which callers treat as unhealthy. */
  readonly lagSeconds: number | null;
  readonly healthy: boolean;
  readonly detail: string;
}

export interface ReplicaTarget {
  readonly name: string;
  readonly url: string;
}

/**
 * Everything the engine needs from a database. Implementations: PostgreSQL (`pg`) and MySQL/MariaDB
 * (`mysql2`). The engine never imports a driver; it speaks only this interface.
 */
export interface Database extends Queryable {
  readonly engine: Engine;
  /** `postgres`, `mysql` or `mariadb` with the server version, e.g. `mariadb 10.11.19`. */
  serverVersion(): Promise<string>;

  /**
   * Runs `fn` as one batch: one transaction with lock and statement timeouts set, holding the
   * job's advisory lock (PostgreSQL `pg_try_advisory_xact_lock` inside the transaction; MySQL
   * `GET_LOCK(name, 0)` around it). Returns `{ held: true }` at once, without running `fn`, when
   * another session holds the lock. Commits when `fn` resolves, rolls back when it throws.
   */
  withBatchTransaction<T>(options: BatchTxOptions, fn: (tx: Tx) => Promise<T>): Promise<BatchTxResult<T>>;

  /**
   * Runs `fn` on one dedicated connection outside any transaction, with the session's lock and
   * statement timeouts set for the call and reset afterwards; a connection that broke is closed
   * instead of reused. For statements a transaction forbids (CREATE INDEX CONCURRENTLY).
   */
  withSession<T>(options: SessionOptions, fn: (session: Session) => Promise<T>): Promise<T>;

  /**
   * Runs `fn` with a view of this database in which `query` and `explain` run inside one
   * read-only transaction that is always rolled back (PostgreSQL `BEGIN; SET TRANSACTION READ
   * ONLY`; MySQL `SET SESSION TRANSACTION READ ONLY` and `START TRANSACTION READ ONLY`, the
   * session setting because a DDL statement would otherwise commit the transaction implicitly and
   * run outside it). The view refuses batch transactions and sessions. The transaction opens on
   * the view's first statement. The view's catalog reads (serverVersion, serverRole, columns,
   * indexes, estimateTableRows, activeSessions, replicaLag without replica URLs) run on the
   * transaction's connection too, so a dry run holds one pooled connection and never waits for a
   * second while holding it (a pool of one works; dry runs sharing a pool cannot wait on each
   * other). Only replica URLs are read over connections of their own. For dry runs: `lowtide
   * plan` and preflight run author SQL through it, so they change nothing.
   */
  withReadOnlyTransaction<T>(fn: (db: Database) => Promise<T>): Promise<T>;

  // --- introspection for preflight checks ---
  serverRole(): Promise<ServerRole>;
  /** Columns of the table, or an empty list when it does not exist. */
  columns(table: TableRef): Promise<ColumnInfo[]>;
  indexes(table: TableRef): Promise<IndexInfo[]>;
  /** EXPLAIN of a SELECT (without executing it). */
  explain(text: string, values?: readonly unknown[]): Promise<SelectionPlan>;
  /** The planner's estimate of the table's row count (no scan). */
  estimateTableRows(table: TableRef): Promise<number>;
  /** Active sessions: PostgreSQL backends in state 'active', MySQL Threads_running. */
  activeSessions(): Promise<number>;
  /** Lag of each replica; from the primary's view (PostgreSQL) when `replicas` is empty. */
  replicaLag(replicas: readonly ReplicaTarget[]): Promise<ReplicaLag[]>;

  close(): Promise<void>;
}

export type DbErrorKind =
  | 'lock-timeout'
  | 'statement-timeout'
  | 'deadlock'
  | 'connection'
  | 'read-only'
  | 'other';

/**
 * A driver error classified so the runner can decide: lock and statement timeouts and deadlocks
 * shrink the batch and retry; a lost connection retries; anything else fails the batch.
 */
export class DbError extends Error {
  override readonly name = 'DbError';
  constructor(
    readonly kind: DbErrorKind,
    message: string,
    /** The server's error code (PostgreSQL SQLSTATE or MySQL error number / driver code). */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    return this.kind !== 'other' && this.kind !== 'read-only';
  }
}
