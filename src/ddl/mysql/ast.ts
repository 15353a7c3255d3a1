/**
 * node-sql-parser's AST is loosely typed (its published types cover SELECT well and DDL
 * hardly at all), so the MySQL side reads it through these checked accessors instead of casts.
 */
export type AstNode = Readonly<Record<string, unknown>>;

export function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function child(node: AstNode | undefined, key: string): AstNode | undefined {
  const value = node?.[key];
  return isNode(value) ? value : undefined;
}

export function list(node: AstNode | undefined, key: string): AstNode[] {
  const value = node?.[key];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

export function text(node: AstNode | undefined, key: string): string | undefined {
  const value = node?.[key];
  return typeof value === 'string' ? value : undefined;
}

export function lower(node: AstNode | undefined, key: string): string {
  return (text(node, key) ?? '').toLowerCase();
}

/** `db.table` or `table` from a `{ db, table }` reference. */
export function tableName(ref: AstNode | undefined): string | undefined {
  const table = text(ref, 'table');
  if (!table) return undefined;
  const db = text(ref, 'db');
  return db ? `${db}.${table}` : table;
}

/** The column name of a `column_ref` (or a bare string). */
export function columnName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!isNode(value)) return undefined;
  const column = value.column;
  if (typeof column === 'string') return column;
  // Some versions wrap the name: { expr: { type: 'default', value: 'c' } }.
  const inner = child(value, 'expr') ?? (isNode(column) ? child(column, 'expr') : undefined);
  return text(inner, 'value');
}
