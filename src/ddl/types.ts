import type { Engine } from '../db/types';
import type { ServerVersions } from './versions';

/**
 * The table lock a statement takes, as the server names it. PostgreSQL's eight table lock modes
 * (strongest first, the ones that matter here); MySQL/MariaDB's online DDL levels: `EXCLUSIVE`
 * (no reads or writes), `SHARED` (reads only), `NONE` (reads and writes go on). `UNKNOWN` is a
 * statement the guard could not parse.
 */
export type LockClass =
  | 'ACCESS EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'SHARE ROW EXCLUSIVE'
  | 'SHARE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'ROW EXCLUSIVE'
  | 'ROW SHARE'
  | 'ACCESS SHARE'
  | 'SHARED'
  | 'NONE'
  | 'UNKNOWN';

/** How MySQL/MariaDB carries out an ALTER: best (INSTANT) to worst (COPY). NOCOPY is MariaDB only. */
export type MysqlAlgorithm = 'INSTANT' | 'NOCOPY' | 'INPLACE' | 'COPY';

/** Which MySQL-family server's online DDL rules apply; `any` takes the stricter of the two per operation. */
export type MysqlServer = 'mysql' | 'mariadb' | 'any';

/**
 * - `block`: refuses preflight (until consented) and fails lint.
 * - `warn`: reported, never blocks (unless lint is asked to fail on warnings).
 * - `note`: for the record, e.g. a lock on a table small enough that nobody waits.
 */
export type Severity = 'block' | 'warn' | 'note';

export interface Finding {
  /** 0-based position of the statement in the analysed script. */
  readonly statementIndex: number;
  /** 1-based line where the statement starts in its source text. */
  readonly line: number;
  /** The statement as written, without surrounding comments and the final semicolon. */
  readonly statement: string;
  /** Stable hash of the normalised statement: what an operator consents to. */
  readonly fingerprint: string;
  /** Stable rule id, e.g. `pg-set-not-null`. */
  readonly rule: string;
  /** `schema.table` or `table`, as the server resolves the name, when the statement targets one. */
  readonly table?: string;
  readonly lock: LockClass;
  /** MySQL/MariaDB only: the algorithm the server would use (or was told to use). */
  readonly algorithm?: MysqlAlgorithm;
  readonly rewritesTable: boolean;
  readonly scansTable: boolean;
  /** Breaks code that is running against the old schema (renames, drops). */
  readonly breaking: boolean;
  readonly severity: Severity;
  /** What happens and why it hurts, in words an operator can act on. */
  readonly why: string;
  readonly safeAlternative: string;
  /** The table's estimated row count, when it was read. */
  readonly tableRows?: number;
}

/** What the guard may learn about a column from the live database. */
export interface ColumnFacts {
  /** The server's spelling: PostgreSQL `format_type` (e.g. `character varying(20)`), MySQL COLUMN_TYPE. */
  readonly type: string;
  readonly nullable: boolean;
  /** PostgreSQL: a validated `CHECK (col IS NOT NULL)` exists, so SET NOT NULL needs no scan. */
  readonly validatedNotNullCheck?: boolean;
  /** MySQL: bytes per character of the column's character set (e.g. 4 for utf8mb4). */
  readonly bytesPerChar?: number;
}

/** What the guard may learn about a named constraint of a table from the live database. */
export interface ConstraintFacts {
  /** The constraint is validated (not NOT VALID). */
  readonly validated: boolean;
  /** PostgreSQL: the column of a `CHECK (col IS NOT NULL)`, when the constraint is exactly that. */
  readonly notNullColumn?: string;
}

/** Optional catalog lookups; without them the guard assumes the worst (fails closed). */
export interface DdlCatalog {
  column?(table: string, column: string): Promise<ColumnFacts | undefined>;
  constraint?(table: string, name: string): Promise<ConstraintFacts | undefined>;
}

export interface AnalyzeOptions {
  readonly engine: Engine;
  /** MySQL family only: whose online DDL rules apply. Default `any` (the stricter of MySQL 8 and MariaDB 10.11). */
  readonly server?: MysqlServer;
  /** Estimated rows of a table (`schema.table` or `table`); undefined when unknown. Unknown never downgrades. */
  readonly tableSizes?: (table: string) => Promise<number | undefined>;
  readonly catalog?: DdlCatalog;
  /**
   * Below this many rows a size-dependent lock is a note, not a block. Default SMALL_TABLE_ROWS
   * (10,000), the same line preflight draws for full scans.
   */
  readonly smallTableRows?: number;
  /**
   * The caller sets a lock timeout itself before each statement (lowtide's runner does), so a
   * script without `SET lock_timeout` / `SET lock_wait_timeout` is not a finding.
   */
  readonly assumeLockTimeout?: boolean;
  /** A lock timeout longer than this does not count as protection. Default 10 s. */
  readonly maxLockTimeoutMs?: number;
  /**
   * Each source runs inside one transaction, as migration tools wrap a file in BEGIN ... COMMIT:
   * CONCURRENTLY is refused there and `SET LOCAL` counts. A source holding the comment
   * `-- lowtide: no-transaction` runs outside one all the same. Default false.
   */
  readonly assumeInTransaction?: boolean;
  /** The server releases the version-dependent rules apply for; missing ones take DEFAULT_VERSIONS. */
  readonly versions?: ServerVersions;
  /**
   * Per-rule settings from a repository's lint config: `off` drops the rule's findings, `block` /
   * `warn` replace its severity (a small-table note stays a note). Unknown rule ids are an error.
   */
  readonly rules?: Readonly<Record<string, RuleSetting>>;
}

/** What a lint config may say about one rule. */
export type RuleSetting = 'block' | 'warn' | 'off';

/** One statement of a script, located in its source. */
export interface ScriptStatement {
  readonly index: number;
  readonly line: number;
  /** Trimmed statement text (no leading comments, no final semicolon). */
  readonly text: string;
  readonly fingerprint: string;
}

/**
 * What a rule reports about one statement. Anything left out comes from the rule's defaults, so
 * a rule only spells out what differs for this statement.
 */
export interface RuleHit {
  readonly table?: string;
  readonly lock?: LockClass;
  readonly algorithm?: MysqlAlgorithm;
  readonly rewritesTable?: boolean;
  readonly scansTable?: boolean;
  readonly severity?: Severity;
  readonly why?: string;
  readonly safeAlternative?: string;
}

/** A rule as documented: the rules table in docs/ddl-guard.md lists exactly these. */
export interface RuleInfo {
  readonly id: string;
  readonly engine: Engine;
  /** The statement shape, e.g. `CREATE INDEX without CONCURRENTLY`. */
  readonly title: string;
  readonly lock: LockClass;
  readonly algorithm?: MysqlAlgorithm;
  readonly severity: Severity;
  readonly rewritesTable: boolean;
  readonly scansTable: boolean;
  readonly breaking: boolean;
  /**
   * The harm grows with the table (a scan or a rewrite under the lock), so on a table below the
   * small-table line the finding drops to a note. Breaking changes and lock-queue hazards never do.
   */
  readonly sizeDependent: boolean;
  readonly why: string;
  readonly safeAlternative: string;
}

/** One small unit: looks at one statement (with what came before it) and reports zero or more hits. */
export interface Rule<S> extends RuleInfo {
  check(statement: S): readonly RuleHit[] | Promise<readonly RuleHit[]>;
}

/** Where a statement of an analysed script is: which source (0-based, in the order given) and its first line. */
export interface StatementLocation {
  readonly source: number;
  readonly line: number;
  readonly text: string;
}

/** A finding an ignore comment in the SQL set aside: reported with the comment's reason, never failing. */
export interface IgnoredFinding extends Finding {
  readonly ignored: {
    readonly scope: 'statement' | 'file';
    readonly reason: string;
    /** 1-based line of the ignore comment. */
    readonly line: number;
  };
}

/** The outcome of analysing a script: how many statements it held, and what was found. */
export interface Analysis {
  readonly statements: number;
  /** What counts: ignored findings and rules turned off are not here. */
  readonly findings: readonly Finding[];
  /** Findings an ignore comment set aside, with its reason. */
  readonly ignored?: readonly IgnoredFinding[];
  readonly locations?: readonly StatementLocation[];
}
