import type { Database, Key } from '../db/types';
import type { JobSpec } from '../job/types';

/**
 * Keys travel as strings (checkpoints, ledger, state payloads) and go back to the database as bind
 * values. Integer keys go back as BigInt: MySQL compares a string with an integer column as a
 * double, which would confuse neighbouring keys above 2^53.
 */
export interface KeyCodec {
  readonly integer: boolean;
  fromDb(value: unknown): Key;
  toParam(key: Key): unknown;
}

const INTEGER_TYPE = /^(tiny|small|medium|big)?int(eger)?\b|^int[248]$|^(big|small)?serial$/;

export function keyCodecFor(dataType: string): KeyCodec {
  const integer = INTEGER_TYPE.test(dataType.toLowerCase());
  return {
    integer,
    fromDb(value) {
      if (value === null || value === undefined)
        throw new Error('a key column returned NULL: keys must be NOT NULL');
      if (Buffer.isBuffer(value))
        throw new Error('binary key columns are not supported: use an integer, text or uuid key');
      return String(value);
    },
    toParam(key) {
      return integer ? BigInt(key) : key;
    },
  };
}

const cache = new WeakMap<Database, Map<string, KeyCodec>>();

/** The codec for the job's key column, looked up once per database handle. */
export async function keyCodecOf(db: Database, spec: JobSpec): Promise<KeyCodec> {
  const id = `${spec.table.schema ?? ''}.${spec.table.name}.${spec.key}`;
  let byTable = cache.get(db);
  if (!byTable) {
    byTable = new Map();
    cache.set(db, byTable);
  }
  const known = byTable.get(id);
  if (known) return known;
  const column = (await db.columns(spec.table)).find((c) => c.name === spec.key);
  if (!column) throw new Error(`table ${spec.table.name} has no key column ${spec.key}`);
  const codec = keyCodecFor(column.dataType);
  byTable.set(id, codec);
  return codec;
}
