/**
 * pg sends a top-level bigint as its decimal text, but a bigint inside a JSON value would make
 * JSON.stringify throw. Converting every bigint to its decimal text keeps keys bigint-safe whatever
 * shape they arrive in; PostgreSQL casts the text to the column's type.
 */
export function toBindValues(values: readonly unknown[] | undefined): unknown[] {
  return values ? values.map(toBindValue) : [];
}

function toBindValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toBindValue);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toBindValue(v)]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
