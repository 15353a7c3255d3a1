import { analyzeSql, type DdlCatalog, type MysqlServer } from '../../../src/ddl';
import { PEER_CASES, type PeerCase } from './cases';

export type CorpusEngine = 'postgres' | 'mysql' | 'mariadb';

export interface Tally {
  readonly bad: number;
  readonly caught: number;
  readonly ok: number;
  readonly passed: number;
  /** Cases labelled bad that nothing blocked, and cases labelled ok that something blocked. */
  readonly misses: readonly string[];
}

function catalogOf(c: PeerCase): DdlCatalog {
  return {
    column: async (table, column) => c.columns?.[`${table}.${column}`],
    constraint: async (table, name) => c.constraints?.[`${table}.${name}`],
  };
}

/** Whether lint blocks the case: at least one blocking finding, as `lowtide lint` exits 1. */
async function blocked(c: PeerCase, server: MysqlServer | undefined): Promise<boolean> {
  const findings = await analyzeSql(c.sql, {
    engine: c.engine,
    ...(server ? { server } : {}),
    // Both peers leave timeouts to configuration; lowtide's own timeout rules are measured elsewhere.
    assumeLockTimeout: true,
    catalog: catalogOf(c),
    ...c.options,
  });
  return findings.some((f) => f.severity === 'block');
}

/** Runs the corpus for one engine (MySQL-family cases run once with the MySQL rules, once with MariaDB's). */
export async function measure(engine: CorpusEngine, peer?: PeerCase['peer']): Promise<Tally> {
  const cases = PEER_CASES.filter(
    (c) =>
      (engine === 'postgres' ? c.engine === 'postgres' : c.engine === 'mysql') && (!peer || c.peer === peer),
  );
  const server: MysqlServer | undefined = engine === 'postgres' ? undefined : engine;
  let caught = 0;
  let passed = 0;
  const misses: string[] = [];
  for (const c of cases) {
    const isBlocked = await blocked(c, server);
    if (c.label === 'bad' && isBlocked) caught++;
    else if (c.label === 'ok' && !isBlocked) passed++;
    else misses.push(`${c.label} ${c.peer} ${c.operation}: ${c.sql.replace(/\s+/g, ' ')}`);
  }
  return {
    bad: cases.filter((c) => c.label === 'bad').length,
    caught,
    ok: cases.filter((c) => c.label === 'ok').length,
    passed,
    misses,
  };
}
