/**
 * SQL identifiers that lowtide is willing to quote. Anything else is refused at spec time, so no
 * identifier from a job file ever reaches SQL unvalidated. The rule is deliberately narrower than
 * what either server accepts: plain ASCII names are what operators type, and refusing the rest
 * means quoting can never be escaped.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

export interface TableRef {
  readonly schema?: string;
  readonly name: string;
}

export function isIdentifier(value: string): boolean {
  return IDENTIFIER.test(value);
}

export function identifierProblem(value: string): string | undefined {
  if (isIdentifier(value)) return undefined;
  return `must be a plain SQL identifier (a letter or _, then letters, digits, _ or $, at most 63 characters); got ${JSON.stringify(value)}`;
}

/** Parses `name` or `schema.name`; returns undefined when either part is not an identifier. */
export function parseTableRef(value: string): TableRef | undefined {
  const parts = value.split('.');
  if (parts.length === 1 && isIdentifier(parts[0]!)) return { name: parts[0]! };
  if (parts.length === 2 && isIdentifier(parts[0]!) && isIdentifier(parts[1]!)) {
    return { schema: parts[0]!, name: parts[1]! };
  }
  return undefined;
}

export function tableRefProblem(value: string): string | undefined {
  if (parseTableRef(value)) return undefined;
  return `must be a table name or schema.table made of plain SQL identifiers (letters, digits, _ or $); got ${JSON.stringify(value)}`;
}

export function formatTableRef(ref: TableRef): string {
  return ref.schema ? `${ref.schema}.${ref.name}` : ref.name;
}
