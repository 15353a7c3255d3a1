import type { ColumnFacts } from '../types';
import { atLeast, type ServerVersion } from '../versions';
import { type MysqlOp, normaliseMysqlType } from './operations';

export type MysqlLock = 'NONE' | 'SHARED' | 'EXCLUSIVE';
export type Flavour = 'mysql' | 'mariadb';

/**
 * How the server can carry out one operation: which algorithms it accepts, whether the in-place
 * way rebuilds the table, and the weakest LOCK it allows in place. From the online DDL tables of
 * MySQL 8.0 (8.0.29 and later, and 8.4) and MariaDB 10.11; where a case is not documented or
 * depends on what lowtide cannot see, the weaker capability is assumed.
 */
export interface Support {
  readonly instant: boolean;
  /** MariaDB's NOCOPY: in place without rebuilding the table. Always false on MySQL. */
  readonly nocopy: boolean;
  readonly inplace: boolean;
  /** Done in place (not instantly), the table is rebuilt. */
  readonly rebuild: boolean;
  readonly lock: MysqlLock;
  /** Why this operation cannot do better, for the finding's text. */
  readonly note?: string;
}

const INSTANT: Support = { instant: true, nocopy: true, inplace: true, rebuild: false, lock: 'NONE' };
/** Instant when alone; mixed with an operation that cannot be instant, it rebuilds the table. */
const INSTANT_OR_REBUILD: Support = {
  instant: true,
  nocopy: false,
  inplace: true,
  rebuild: true,
  lock: 'NONE',
};
const NO_REBUILD: Support = { instant: false, nocopy: true, inplace: true, rebuild: false, lock: 'NONE' };
const REBUILD: Support = { instant: false, nocopy: false, inplace: true, rebuild: true, lock: 'NONE' };
const COPY: Support = { instant: false, nocopy: false, inplace: false, rebuild: true, lock: 'SHARED' };

const with_ = (s: Support, note: string, extra: Partial<Support> = {}): Support => ({ ...s, ...extra, note });

export interface OpContext {
  readonly foreignKeyChecks: boolean;
  /** A column's current definition (read before planning), for MODIFY / CHANGE; undefined when unknown. */
  columnFacts(column: string): ColumnFacts | undefined;
  /** The same ALTER also adds a primary key (DROP PRIMARY KEY, ADD PRIMARY KEY ...). */
  readonly addsPrimaryKey: boolean;
  /** The release of each server the plan is made for. */
  readonly versions: Readonly<Record<Flavour, ServerVersion>>;
}

/**
 * What the release can do instantly with columns. MySQL: ADD COLUMN as the last column from
 * 8.0.12, anywhere and DROP COLUMN from 8.0.29 (MySQL 8.0 reference manual, Online DDL
 * Operations). MariaDB: ADD COLUMN as the last column from 10.3, anywhere, DROP COLUMN and
 * reordering from 10.4 (MariaDB knowledge base, InnoDB Online DDL Operations with ALGORITHM=INSTANT).
 */
interface InstantColumns {
  readonly addLast: boolean;
  readonly addAnywhere: boolean;
  readonly dropAndReorder: boolean;
  readonly release: string;
}

function instantColumns(flavour: Flavour, ctx: OpContext): InstantColumns {
  const v = ctx.versions[flavour];
  const release = `${flavour === 'mysql' ? 'MySQL' : 'MariaDB'} ${v.major}.${v.minor}.${v.patch}`;
  if (flavour === 'mysql') {
    return {
      addLast: atLeast(v, 8, 0, 12),
      addAnywhere: atLeast(v, 8, 0, 29),
      dropAndReorder: atLeast(v, 8, 0, 29),
      release,
    };
  }
  return {
    addLast: atLeast(v, 10, 3),
    addAnywhere: atLeast(v, 10, 4),
    dropAndReorder: atLeast(v, 10, 4),
    release,
  };
}

const VARCHAR = /^varchar\((\d+)\)$/;
const ENUM_OR_SET = /^(enum|set)\((.*)\)$/;

function modifySupport(
  op: Extract<MysqlOp, { kind: 'modify-column' }>,
  flavour: Flavour,
  ctx: OpContext,
): Support {
  const current = ctx.columnFacts(op.column);
  if (!current) {
    return with_(
      COPY,
      `lowtide could not read the current definition of ${op.column}, so the change is taken for a type change`,
    );
  }
  if (op.spec.charsetOrCollate)
    return with_(COPY, `CHARACTER SET / COLLATE on ${op.column} may convert every value`);
  const before = normaliseMysqlType(current.type);
  const after = op.spec.type;
  const nullChange = current.nullable !== op.spec.nullable;
  let base: Support;
  if (before === after) {
    base = nullChange
      ? with_(
          REBUILD,
          `making ${op.column} ${op.spec.nullable ? 'NULL' : 'NOT NULL'} rebuilds the table${op.spec.nullable ? '' : ' (and fails if a NULL is left)'}`,
        )
      : INSTANT;
  } else if (nullChange) {
    base = with_(COPY, `${op.column} changes type (${before} to ${after})`);
  } else {
    const v0 = VARCHAR.exec(before);
    const v1 = VARCHAR.exec(after);
    const e0 = ENUM_OR_SET.exec(before);
    const e1 = ENUM_OR_SET.exec(after);
    if (v0 && v1 && Number(v1[1]) >= Number(v0[1])) {
      const bytesPerChar = current.bytesPerChar ?? 4;
      const sameLengthBytes = Number(v0[1]) * bytesPerChar < 256 === Number(v1[1]) * bytesPerChar < 256;
      base =
        flavour === 'mariadb'
          ? INSTANT
          : sameLengthBytes
            ? NO_REBUILD
            : with_(
                COPY,
                `widening ${op.column} from ${before} to ${after} crosses the 255-byte length boundary`,
              );
    } else if (e0 && e1 && e0[1] === e1[1] && e1[2]!.startsWith(e0[2]!)) {
      base = INSTANT;
    } else {
      base = with_(COPY, `${op.column} changes type (${before} to ${after})`);
    }
  }
  if (!op.spec.moves) return base;
  const reorder =
    flavour === 'mariadb' && instantColumns(flavour, ctx).dropAndReorder
      ? INSTANT
      : with_(REBUILD, `moving ${op.column} (FIRST / AFTER) rebuilds the table`);
  return worse(base, reorder);
}

/** The weaker of two supports (used to merge a MODIFY's type change with its reordering). */
function worse(a: Support, b: Support): Support {
  return {
    instant: a.instant && b.instant,
    nocopy: a.nocopy && b.nocopy,
    inplace: a.inplace && b.inplace,
    rebuild: a.rebuild || b.rebuild,
    lock: LOCK_RANK[a.lock] >= LOCK_RANK[b.lock] ? a.lock : b.lock,
    note: [a.note, b.note].filter((n) => n).join('; ') || undefined,
  };
}

export const LOCK_RANK: Record<MysqlLock, number> = { NONE: 0, SHARED: 1, EXCLUSIVE: 2 };

function supportFor(op: MysqlOp, flavour: Flavour, ctx: OpContext): Support {
  const mysql = flavour === 'mysql';
  switch (op.kind) {
    case 'add-column':
      if (op.stored) return with_(COPY, `stored generated column ${op.column} is computed for every row`);
      if (op.check)
        return with_(COPY, `the CHECK on new column ${op.column} is verified by copying the table`);
      if (op.expressionDefault && !(flavour === 'mariadb' && op.defaultEvaluatedOnce))
        return with_(COPY, `the expression default of ${op.column} is evaluated for every row`);
      if (op.autoIncrement) {
        return with_(REBUILD, `AUTO_INCREMENT column ${op.column} is numbered while writes are blocked`, {
          lock: 'SHARED',
        });
      }
      if (op.indexed) return with_(REBUILD, `new column ${op.column} also gets an index`);
      {
        const can = instantColumns(flavour, ctx);
        if (!can.addLast)
          return with_(
            REBUILD,
            `${can.release} cannot add a column instantly, so ADD COLUMN ${op.column} rebuilds the table`,
          );
        if (op.positioned && !can.addAnywhere) {
          return with_(
            REBUILD,
            `${can.release} adds a column instantly only as the last one, so ADD COLUMN ${op.column} FIRST/AFTER rebuilds the table`,
          );
        }
      }
      return with_(
        INSTANT_OR_REBUILD,
        `ADD COLUMN ${op.column} rebuilds the table when it cannot be instant (mixed with a change that is not, or ALGORITHM=INPLACE)`,
      );
    case 'drop-column':
      if (!instantColumns(flavour, ctx).dropAndReorder) {
        return with_(
          REBUILD,
          `${instantColumns(flavour, ctx).release} cannot drop a column instantly, so DROP COLUMN ${op.column} rebuilds the table`,
        );
      }
      return with_(
        INSTANT_OR_REBUILD,
        `DROP COLUMN ${op.column} rebuilds the table when it cannot be instant (mixed with a change that is not, or ALGORITHM=INPLACE)`,
      );
    case 'rename-column':
    case 'column-default':
    case 'rename-table':
      return INSTANT;
    case 'modify-column':
      return modifySupport(op, flavour, ctx);
    case 'add-index':
      if (op.index === 'fulltext') {
        return with_(
          REBUILD,
          'a FULLTEXT index is built while writes are blocked (the first one rebuilds the table)',
          { lock: 'SHARED' },
        );
      }
      if (op.index === 'spatial')
        return with_(NO_REBUILD, 'a SPATIAL index is built while writes are blocked', { lock: 'SHARED' });
      return NO_REBUILD;
    case 'drop-index':
      return NO_REBUILD;
    case 'rename-index':
    case 'drop-constraint':
      return mysql ? NO_REBUILD : INSTANT;
    case 'add-primary-key':
      return with_(REBUILD, 'a new primary key rebuilds the clustered index, i.e. the whole table');
    case 'drop-primary-key':
      return ctx.addsPrimaryKey
        ? with_(REBUILD, 'replacing the primary key rebuilds the whole table')
        : with_(COPY, 'dropping the primary key without adding another needs a table copy');
    case 'add-foreign-key':
      if (ctx.foreignKeyChecks)
        return with_(COPY, 'with foreign_key_checks on, a new foreign key is checked by copying the table');
      return mysql ? NO_REBUILD : INSTANT;
    case 'add-check':
      return with_(COPY, 'a new CHECK constraint is verified by copying the table');
    case 'table-option':
      if (op.option === 'engine')
        return op.value === 'innodb'
          ? with_(REBUILD, 'ENGINE=InnoDB rebuilds the table')
          : with_(COPY, `changing the engine to ${op.value} copies the table`);
      if (op.option === 'row_format' || op.option === 'key_block_size')
        return with_(REBUILD, `${op.option.toUpperCase()} rebuilds the table`);
      if (op.option === 'auto_increment' || op.option === 'comment') return mysql ? NO_REBUILD : INSTANT;
      return mysql ? with_(REBUILD, `changing the table's default ${op.option} may rebuild it`) : INSTANT;
    case 'convert-charset':
      return with_(COPY, 'CONVERT TO CHARACTER SET rewrites every text value');
    case 'force':
      return with_(REBUILD, 'FORCE rebuilds the table');
    case 'unknown':
      return with_(COPY, `lowtide does not know how "${op.what}" is carried out, so it assumes a table copy`);
  }
}

export function support(op: MysqlOp, flavour: Flavour, ctx: OpContext): Support {
  const s = supportFor(op, flavour, ctx);
  // MySQL has no NOCOPY: what MariaDB does as NOCOPY, MySQL does as INPLACE without a rebuild.
  return flavour === 'mysql' && s.nocopy ? { ...s, nocopy: false } : s;
}
