import type { Database, Key } from '../db/types';
import type { JobSpec } from '../job/types';
import { kindOf } from './kinds/registry';

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

/**
 * String types whose values come back from both drivers as the exact strings the server compares:
 * PostgreSQL text, varchar, char and uuid; MySQL char, varchar and the text types.
 */
const STRING_TYPE =
  /^(text|character varying|varchar|character|char|bpchar|uuid|tinytext|mediumtext|longtext)$/;

/**
 * What lowtide can carry a key of this type as, losslessly and in the server's own order, or
 * undefined. Everything else is refused until keys are typed: timestamps come back as JavaScript
 * dates (milliseconds at best, PostgreSQL keeps microseconds), floats and decimals as rounded or
 * reformatted numbers, binary values as buffers, enums order by their declaration, not their text.
 */
export function keyKind(dataType: string): 'integer' | 'string' | undefined {
  const type = dataType.toLowerCase();
  if (INTEGER_TYPE.test(type)) return 'integer';
  if (STRING_TYPE.test(type)) return 'string';
  return undefined;
}

/** Why a key column of this type cannot be used, and what to do instead; undefined when it can. */
export function keyTypeProblem(column: string, dataType: string): string | undefined {
  if (keyKind(dataType)) return undefined;
  return (
    `key column ${column} is of type ${dataType}, which lowtide cannot yet carry between batches without losing ` +
    'its exact value or order (keys travel as text; timestamps would lose precision, floats and decimals digits, ' +
    'binary values and enums their order): choose an integer, text or uuid key, such as the primary key, ' +
    'or add a unique integer column and key the job on it'
  );
}

export function keyCodecFor(dataType: string): KeyCodec {
  const integer = keyKind(dataType) === 'integer';
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
  // Preflight refuses it first; this keeps a job that skipped preflight from sticking at batch 2.
  // An author's keys (custom) go as the hooks return them.
  const problem = kindOf(spec).keys === 'author' ? undefined : keyTypeProblem(column.name, column.dataType);
  if (problem) throw new Error(problem);
  const codec = keyCodecFor(column.dataType);
  byTable.set(id, codec);
  return codec;
}
