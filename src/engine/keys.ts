import type { Database, IndexInfo } from '../db/types';
import type { JobSpec } from '../job/types';
import { formatTableRef } from '../sql/identifiers';
import { KeyCodec } from './key-codec';
import { type KeyColumn, keyColumnOf, mysqlTimestampProblem } from './key-types';

export { KeyCodec } from './key-codec';
export { displayKey } from './key-display';

/** The key columns the spec names, in order; undefined when it leaves `key` out (the primary key). */
export function namedKeyColumns(spec: Pick<JobSpec, 'key'>): readonly string[] | undefined {
  if (spec.key === undefined) return undefined;
  return typeof spec.key === 'string' ? [spec.key] : spec.key;
}

export type ResolvedKey =
  | { readonly columns: readonly string[]; readonly primary: boolean; readonly problem?: undefined }
  | { readonly problem: string };

/** The job's key columns: the ones it names, or else the table's primary key. */
export function resolveKey(spec: JobSpec, indexes: readonly IndexInfo[]): ResolvedKey {
  const named = namedKeyColumns(spec);
  if (named) return { columns: named, primary: false };
  const pk = indexes.find((i) => i.primary);
  if (!pk) {
    return {
      problem: `table ${formatTableRef(spec.table)} has no primary key, and the job names no key: set key to a column (or list of columns) with a unique index over NOT NULL columns`,
    };
  }
  return { columns: pk.columns, primary: true };
}

/** The job's key as text for plan and errors: `key id`, `key (a, b)`, `key: primary key (a, b)`. */
export function describeKey(resolved: ResolvedKey): string {
  if (resolved.problem !== undefined) return 'key: unresolved';
  const cols = resolved.columns.length === 1 ? resolved.columns[0]! : `(${resolved.columns.join(', ')})`;
  return resolved.primary ? `key: primary key ${cols}` : `key ${cols}`;
}

/** The key columns lowtide can carry, or the first problem; types from the catalog. */
export async function keyColumnsOf(
  db: Database,
  spec: JobSpec,
): Promise<{ readonly columns: readonly KeyColumn[] } | { readonly problem: string }> {
  const resolved = resolveKey(spec, namedKeyColumns(spec) ? [] : await db.indexes(spec.table));
  if (resolved.problem !== undefined) return { problem: resolved.problem };
  const catalog = await db.columns(spec.table);
  const columns: KeyColumn[] = [];
  for (const name of resolved.columns) {
    const info = catalog.find((c) => c.name === name);
    if (!info) return { problem: `table ${formatTableRef(spec.table)} has no key column ${name}` };
    const column = keyColumnOf(db.engine, info);
    if ('problem' in column) return { problem: column.problem };
    const serverProblem = await mysqlTimestampProblem(db, info);
    if (serverProblem) return { problem: serverProblem };
    columns.push(column);
  }
  return { columns };
}

const cache = new WeakMap<Database, Map<string, KeyCodec>>();

/**
 * The codec for the job's key, looked up once per database handle. Preflight refuses a key it
 * cannot carry first; this keeps a job that skipped preflight from failing at batch 2.
 */
export async function keyCodecOf(db: Database, spec: JobSpec): Promise<KeyCodec> {
  const id = `${spec.table.schema ?? ''}.${spec.table.name}.${JSON.stringify(spec.key ?? null)}`;
  let byTable = cache.get(db);
  if (!byTable) {
    byTable = new Map();
    cache.set(db, byTable);
  }
  const known = byTable.get(id);
  if (known) return known;
  const found = await keyColumnsOf(db, spec);
  if ('problem' in found) throw new Error(found.problem);
  const codec = new KeyCodec(db.engine, found.columns, spec.table);
  byTable.set(id, codec);
  return codec;
}
