import type { Key } from '../db/types';

/** The tags of a composite (or binary) key's parts; see KeyCodec. */
export const TAGS = { number: 'n', string: 's', binary: 'x', boolean: 'b' } as const;

const TAGGED = /^\[".*"\]$/s;

/**
 * A key as people read it, without the catalog: a one-column key as it is (`7`, `abc`); a
 * composite key as a tuple, numbers bare, strings quoted, bytes in hex: `(7, 'abc', 0x0a0b)`; a
 * binary key as `0x0a0b`. For status, history, notes and errors.
 */
export function displayKey(key: Key): string {
  const parts = taggedParts(key);
  if (!parts) return key;
  const shown = parts.map(displayPart);
  return shown.length === 1 ? shown[0]! : `(${shown.join(', ')})`;
}

function taggedParts(key: Key): string[] | undefined {
  if (!TAGGED.test(key)) return undefined;
  try {
    const parts: unknown = JSON.parse(key);
    const tags = Object.values(TAGS) as string[];
    if (
      Array.isArray(parts) &&
      parts.length > 0 &&
      parts.every((p) => typeof p === 'string' && tags.includes(p[0] ?? ''))
    )
      return parts as string[];
  } catch {
    // not a tagged key: shown as it is
  }
  return undefined;
}

function displayPart(part: string): string {
  const text = part.slice(1);
  switch (part[0]) {
    case TAGS.string:
      return `'${text.replace(/'/g, "''")}'`;
    case TAGS.binary:
      return `0x${text}`;
    default:
      return text;
  }
}
