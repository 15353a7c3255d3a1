import type { MysqlAlgorithm, MysqlServer } from '../types';
import { type Flavour, LOCK_RANK, type MysqlLock, type OpContext, type Support, support } from './online-ddl';
import type { MysqlOp, OnlineClauses } from './operations';

export type AlterPlan =
  | {
      readonly ok: true;
      readonly algorithm: MysqlAlgorithm;
      readonly lock: MysqlLock;
      readonly rebuild: boolean;
      /** Why it is no better: the notes of the operations holding it back. */
      readonly reasons: readonly string[];
      /** How MySQL and MariaDB differ for this statement, when they do (server `any`). */
      readonly difference?: string;
    }
  | { readonly ok: false; readonly requested: string; readonly reason: string };

const ALGORITHM_RANK: Record<MysqlAlgorithm, number> = { INSTANT: 3, NOCOPY: 2, INPLACE: 1, COPY: 0 };
const SERVER_NAME: Record<Flavour, string> = { mysql: 'MySQL 8', mariadb: 'MariaDB 10.11' };

function notes(entries: readonly Support[], pick: (s: Support) => boolean): string[] {
  return [
    ...new Set(
      entries
        .filter(pick)
        .map((s) => s.note)
        .filter((n): n is string => n !== undefined),
    ),
  ];
}

function refuse(requested: string, reason: string): AlterPlan {
  return { ok: false, requested, reason };
}

/** What one server does with this ALTER and its ALGORITHM= / LOCK= clauses. */
function planFor(
  ops: readonly MysqlOp[],
  clauses: OnlineClauses,
  flavour: Flavour,
  ctx: OpContext,
): AlterPlan {
  const entries = ops.map((op) => support(op, flavour, ctx));
  const all = (f: (s: Support) => boolean) => entries.every(f);
  const best: MysqlAlgorithm = all((s) => s.instant)
    ? 'INSTANT'
    : flavour === 'mariadb' && all((s) => s.nocopy)
      ? 'NOCOPY'
      : all((s) => s.inplace)
        ? 'INPLACE'
        : 'COPY';
  const requested = clauses.algorithm && clauses.algorithm !== 'DEFAULT' ? clauses.algorithm : undefined;
  const lockRequested = clauses.lock && clauses.lock !== 'DEFAULT' ? (clauses.lock as MysqlLock) : undefined;
  const server = SERVER_NAME[flavour];
  const copyReasons = notes(entries, (s) => !s.inplace);

  let algorithm: MysqlAlgorithm;
  if (!requested) {
    algorithm = best;
    // MySQL takes INSTANT only with LOCK=DEFAULT; with another LOCK it falls back to INPLACE.
    if (flavour === 'mysql' && lockRequested && algorithm === 'INSTANT') algorithm = 'INPLACE';
  } else if (requested === 'COPY') {
    algorithm = 'COPY';
  } else if (requested === 'INSTANT') {
    if (best !== 'INSTANT') {
      return refuse(
        'ALGORITHM=INSTANT',
        `${server} cannot do this instantly (${notes(entries, (s) => !s.instant).join('; ') || 'an operation here is not instant'}), so it refuses the statement`,
      );
    }
    if (flavour === 'mysql' && lockRequested) {
      return refuse(
        `ALGORITHM=INSTANT, LOCK=${lockRequested}`,
        `${server} accepts only LOCK=DEFAULT with ALGORITHM=INSTANT, so it refuses the statement`,
      );
    }
    algorithm = 'INSTANT';
  } else if (requested === 'NOCOPY') {
    if (flavour === 'mysql')
      return refuse(
        'ALGORITHM=NOCOPY',
        `${server} has no ALGORITHM=NOCOPY (MariaDB only), so it rejects the statement`,
      );
    if (ALGORITHM_RANK[best] < ALGORITHM_RANK.NOCOPY) {
      return refuse(
        'ALGORITHM=NOCOPY',
        `${server} cannot do this without rebuilding or copying the table (${notes(entries, (s) => !s.nocopy).join('; ')}), so it refuses the statement`,
      );
    }
    algorithm = best;
  } else if (requested === 'INPLACE') {
    if (best === 'COPY') {
      return refuse(
        'ALGORITHM=INPLACE',
        `${server} can only copy the table for this (${copyReasons.join('; ')}), so it refuses ALGORITHM=INPLACE`,
      );
    }
    // MariaDB reads INPLACE as "in place or better"; MySQL does exactly INPLACE (an instant ADD COLUMN then rebuilds).
    algorithm = flavour === 'mariadb' ? best : 'INPLACE';
  } else {
    return refuse(`ALGORITHM=${requested}`, `ALGORITHM=${requested} is not a valid algorithm`);
  }

  const needed: MysqlLock =
    algorithm === 'INSTANT'
      ? 'NONE'
      : algorithm === 'COPY'
        ? 'SHARED'
        : entries.reduce<MysqlLock>((m, s) => (LOCK_RANK[s.lock] > LOCK_RANK[m] ? s.lock : m), 'NONE');
  let lock = needed;
  if (lockRequested && algorithm !== 'INSTANT') {
    if (!(lockRequested in LOCK_RANK))
      return refuse(`LOCK=${lockRequested}`, `LOCK=${lockRequested} is not a valid lock level`);
    if (LOCK_RANK[lockRequested] < LOCK_RANK[needed]) {
      const why = algorithm === 'COPY' ? copyReasons : notes(entries, (s) => s.lock !== 'NONE');
      return refuse(
        `LOCK=${lockRequested}`,
        `${server} needs at least LOCK=${needed} for this (${why.join('; ') || `ALGORITHM=${algorithm}`}), so it refuses LOCK=${lockRequested}`,
      );
    }
    lock = lockRequested;
  }
  const rebuild = algorithm === 'COPY' || (algorithm === 'INPLACE' && entries.some((s) => s.rebuild));
  const reasons =
    algorithm === 'COPY'
      ? requested === 'COPY'
        ? ['ALGORITHM=COPY was asked for']
        : copyReasons
      : lock !== 'NONE'
        ? lockRequested
          ? [`LOCK=${lockRequested} was asked for`]
          : notes(entries, (s) => s.lock !== 'NONE')
        : rebuild
          ? notes(entries, (s) => s.rebuild).concat(
              requested === 'INPLACE' && best === 'INSTANT' ? ['ALGORITHM=INPLACE was asked for'] : [],
            )
          : [];
  return { ok: true, algorithm, lock, rebuild, reasons };
}

function describe(plan: AlterPlan): string {
  if (!plan.ok) return `refused (${plan.requested})`;
  return `${plan.algorithm}${plan.rebuild ? ' with a table rebuild' : ''}, LOCK=${plan.lock}`;
}

/**
 * What the server does with an ALTER. For `any`, both servers are planned and the worse outcome
 * kept: a refusal on either, else the worse algorithm and the stronger lock.
 */
export function planAlter(
  ops: readonly MysqlOp[],
  clauses: OnlineClauses,
  server: MysqlServer,
  ctx: OpContext,
): AlterPlan {
  if (server !== 'any') return planFor(ops, clauses, server, ctx);
  const mysql = planFor(ops, clauses, 'mysql', ctx);
  const mariadb = planFor(ops, clauses, 'mariadb', ctx);
  if (!mysql.ok) return mysql;
  if (!mariadb.ok) return mariadb;
  const worse = ALGORITHM_RANK[mysql.algorithm] <= ALGORITHM_RANK[mariadb.algorithm] ? mysql : mariadb;
  const lock = LOCK_RANK[mysql.lock] >= LOCK_RANK[mariadb.lock] ? mysql.lock : mariadb.lock;
  const differs = describe(mysql) !== describe(mariadb);
  return {
    ...worse,
    lock,
    rebuild: mysql.rebuild || mariadb.rebuild,
    reasons: [...new Set([...mysql.reasons, ...mariadb.reasons])],
    ...(differs ? { difference: `MySQL 8: ${describe(mysql)}; MariaDB 10.11: ${describe(mariadb)}` } : {}),
  };
}
