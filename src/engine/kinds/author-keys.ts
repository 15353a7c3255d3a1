import type { Key } from '../../db/types';
import type { AuthorKey, KeyPart } from '../../job/types';
import { TAGS } from '../key-display';

/**
 * Carries a custom job's keys: a one-column key is the author's string as it is; a composite key
 * is the author's array, as a JSON array of tagged texts like the engine's own composite keys (see
 * KeyCodec), so status and history show it the same way.
 */
export class AuthorKeys {
  constructor(
    /** The number of key columns. */
    readonly width: number,
  ) {}

  toKey(key: AuthorKey): Key {
    if (this.width === 1) {
      if (typeof key === 'string') return key;
      if (typeof key === 'number' || typeof key === 'bigint') return String(key);
      throw new Error(`selectBatch returned ${describe(key)} for a one-column key: return strings`);
    }
    if (!Array.isArray(key) || key.length !== this.width)
      throw new Error(
        `selectBatch returned ${describe(key)} for a key of ${this.width} columns: return one array of ${this.width} values per key`,
      );
    return JSON.stringify(key.map(tagged));
  }

  fromKey(key: Key): AuthorKey {
    if (this.width === 1) return key;
    const parts = JSON.parse(key) as string[];
    return parts.map((p) => (p[0] === TAGS.binary ? Buffer.from(p.slice(1), 'hex') : p.slice(1)));
  }
}

function tagged(part: KeyPart): string {
  if (typeof part === 'string') return `${TAGS.string}${part}`;
  if (typeof part === 'bigint' || (typeof part === 'number' && Number.isSafeInteger(part)))
    return `${TAGS.number}${part}`;
  if (part instanceof Uint8Array) return `${TAGS.binary}${Buffer.from(part).toString('hex')}`;
  throw new Error(
    `a key value ${String(part)} cannot be carried exactly: return strings, safe integers, bigints or bytes`,
  );
}

function describe(key: unknown): string {
  return Array.isArray(key) ? `an array of ${key.length}` : typeof key;
}
