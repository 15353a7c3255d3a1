import { type AstNode, child, columnName, isNode, list, lower, tableName, text } from './ast';

/** A column definition from MODIFY / CHANGE, reduced to what decides the algorithm. */
export interface ColumnSpec {
  /** Normalised type, e.g. `varchar(200)`, `int unsigned`, `enum('a','b')`. */
  readonly type: string;
  readonly nullable: boolean;
  /** CHARACTER SET or COLLATE given: may convert every value. */
  readonly charsetOrCollate: boolean;
  /** FIRST / AFTER: reorders the column. */
  readonly moves: boolean;
}

export type IndexKind = 'plain' | 'unique' | 'fulltext' | 'spatial';

/** One operation of an ALTER TABLE (or CREATE/DROP INDEX), independent of how it was spelled. */
export type MysqlOp =
  | {
      readonly kind: 'add-column';
      readonly column: string;
      readonly autoIncrement: boolean;
      readonly stored: boolean;
      /** A DEFAULT that is an expression other than CURRENT_TIMESTAMP / NOW(). */
      readonly expressionDefault: boolean;
      /**
       * The expression default reads no column and calls only functions MariaDB evaluates once for
       * the whole ALTER (RAND(), NOW() arithmetic, CONCAT ...), so MariaDB can add it instantly,
       * giving every existing row the same value.
       */
      readonly defaultEvaluatedOnce: boolean;
      /** FIRST / AFTER: placed before the last column. */
      readonly positioned: boolean;
      readonly indexed: boolean;
      readonly check: boolean;
    }
  | { readonly kind: 'drop-column'; readonly column: string }
  | { readonly kind: 'rename-column'; readonly from: string; readonly to: string }
  | {
      readonly kind: 'modify-column';
      readonly column: string;
      readonly newName?: string;
      readonly spec: ColumnSpec;
    }
  | { readonly kind: 'column-default'; readonly column: string }
  | { readonly kind: 'add-index'; readonly name?: string; readonly index: IndexKind }
  | { readonly kind: 'drop-index'; readonly name: string }
  | { readonly kind: 'rename-index' }
  | { readonly kind: 'add-primary-key' }
  | { readonly kind: 'drop-primary-key' }
  | { readonly kind: 'add-foreign-key'; readonly name?: string; readonly references?: string }
  | { readonly kind: 'drop-constraint'; readonly name: string }
  | { readonly kind: 'add-check' }
  | { readonly kind: 'rename-table'; readonly to: string }
  | { readonly kind: 'table-option'; readonly option: string; readonly value: string }
  | { readonly kind: 'convert-charset' }
  | { readonly kind: 'force' }
  | { readonly kind: 'unknown'; readonly what: string };

export interface OnlineClauses {
  algorithm?: string;
  lock?: string;
}

const INTEGER = /^(tinyint|smallint|mediumint|int|integer|bigint)\b/;
const TYPE_ALIASES: Record<string, string> = {
  integer: 'int',
  bool: 'tinyint',
  boolean: 'tinyint',
  dec: 'decimal',
  numeric: 'decimal',
  fixed: 'decimal',
  real: 'double',
  'double precision': 'double',
};

/** Lower case, no display widths on integer types, aliases resolved: comparable with COLUMN_TYPE. */
export function normaliseMysqlType(type: string): string {
  let t = type
    .trim()
    .toLowerCase()
    .replace(/\s*,\s*/g, ',')
    .replace(/\s+/g, ' ');
  const base = /^[a-z ]+?(?=\(|$| unsigned| zerofill)/.exec(t)?.[0] ?? t;
  const alias = TYPE_ALIASES[base.trim()];
  if (alias) t = alias + t.slice(base.length);
  if (INTEGER.test(t)) t = t.replace(/^(\w+)\(\d+\)/, '$1');
  if (t === 'decimal') t = 'decimal(10,0)';
  if (t === 'char') t = 'char(1)';
  return t.replace(/ zerofill/, ' unsigned zerofill').replace('unsigned unsigned', 'unsigned');
}

function definitionType(def: AstNode | undefined): string {
  let type = lower(def, 'dataType');
  const values = list(child(def, 'expr'), 'value');
  if (values.length > 0) {
    type += `(${values.map((v) => `'${String(v.value).replace(/'/g, "''")}'`).join(',')})`;
  } else if (typeof def?.length === 'number') {
    type += typeof def.scale === 'number' ? `(${def.length},${def.scale})` : `(${def.length})`;
  }
  const suffix = Array.isArray(def?.suffix) ? def.suffix.map((s) => String(s).toLowerCase()) : [];
  if (suffix.includes('unsigned')) type += ' unsigned';
  if (suffix.includes('zerofill')) type += ' zerofill';
  return normaliseMysqlType(type);
}

function columnSpec(expr: AstNode): ColumnSpec {
  return {
    type: definitionType(child(expr, 'definition')),
    nullable: lower(child(expr, 'nullable'), 'type') !== 'not null' && !expr.primary_key,
    charsetOrCollate: expr.character_set !== undefined || expr.collate !== undefined,
    moves: child(expr, 'suffix') !== undefined,
  };
}

const TIMESTAMP_DEFAULTS = new Set(['current_timestamp', 'now', 'localtime', 'localtimestamp']);

/** Functions MariaDB 10.11 evaluates once for an instant ADD COLUMN (checked against the server). */
const EVALUATED_ONCE = new Set([
  ...TIMESTAMP_DEFAULTS,
  'rand',
  'curdate',
  'current_date',
  'curtime',
  'current_time',
  'utc_timestamp',
  'utc_date',
  'concat',
  'lower',
  'upper',
  'round',
  'floor',
]);
/** node-sql-parser's literal node types: numbers, strings of every quoting, booleans, NULL, hex and bit values. */
const LITERAL = /^(number|null|bool|boolean|.*string|hex.*|bit.*)$/;

function functionName(node: AstNode): string {
  return list(child(node, 'name'), 'name')
    .map((n) => String(n.value).toLowerCase())
    .join('.');
}

/** What an expression default reads: the functions it calls, and whether it names a column. */
function defaultReads(node: unknown, into: { functions: Set<string>; columns: boolean }): void {
  if (Array.isArray(node)) {
    for (const item of node) defaultReads(item, into);
    return;
  }
  if (!isNode(node)) return;
  if (node.type === 'column_ref') into.columns = true;
  if (node.type === 'function') into.functions.add(functionName(node));
  for (const value of Object.values(node)) defaultReads(value, into);
}

interface DefaultShape {
  readonly expression: boolean;
  readonly evaluatedOnce: boolean;
}

function defaultShape(expr: AstNode): DefaultShape {
  const value = child(child(expr, 'default_val'), 'value');
  if (!value || LITERAL.test(String(value.type))) return { expression: false, evaluatedOnce: true };
  if (value.type === 'function' && TIMESTAMP_DEFAULTS.has(functionName(value)))
    return { expression: false, evaluatedOnce: true };
  const reads = { functions: new Set<string>(), columns: false };
  defaultReads(value, reads);
  const once = !reads.columns && [...reads.functions].every((f) => EVALUATED_ONCE.has(f));
  return { expression: true, evaluatedOnce: once };
}

function indexKind(keyword: string): IndexKind {
  if (keyword.startsWith('fulltext')) return 'fulltext';
  if (keyword.startsWith('spatial')) return 'spatial';
  if (keyword.startsWith('unique')) return 'unique';
  return 'plain';
}

/** One ALTER TABLE item of node-sql-parser's AST as an operation (or an online clause). */
export function alterItem(expr: AstNode, clauses: OnlineClauses): MysqlOp | undefined {
  const resource = lower(expr, 'resource');
  const action = lower(expr, 'action');
  if (resource === 'algorithm') {
    clauses.algorithm = String(expr.algorithm ?? '').toUpperCase();
    return undefined;
  }
  if (resource === 'lock') {
    clauses.lock = String(expr.lock ?? '').toUpperCase();
    return undefined;
  }
  if (resource === 'column') {
    const column = columnName(expr.column) ?? '?';
    if (action === 'add') {
      const shape = defaultShape(expr);
      return {
        kind: 'add-column',
        column,
        autoIncrement: expr.auto_increment !== undefined,
        stored: lower(child(expr, 'generated'), 'storage_type') === 'stored',
        expressionDefault: shape.expression,
        defaultEvaluatedOnce: shape.evaluatedOnce,
        positioned: child(expr, 'suffix') !== undefined,
        indexed: expr.unique !== undefined || expr.primary_key !== undefined,
        check: expr.check !== undefined,
      };
    }
    if (action === 'drop') return { kind: 'drop-column', column };
    if (action === 'rename')
      return { kind: 'rename-column', from: columnName(expr.old_column) ?? '?', to: column };
    if (action === 'modify') return { kind: 'modify-column', column, spec: columnSpec(expr) };
    if (action === 'change') {
      const from = columnName(expr.old_column) ?? '?';
      return {
        kind: 'modify-column',
        column: from,
        newName: from === column ? undefined : column,
        spec: columnSpec(expr),
      };
    }
  }
  if (resource === 'index' && action === 'add') {
    return { kind: 'add-index', name: text(expr, 'index'), index: indexKind(lower(expr, 'keyword')) };
  }
  if (resource === 'index' && action === 'drop')
    return { kind: 'drop-index', name: text(expr, 'index') ?? '?' };
  if (resource === 'constraint' && action === 'add') {
    const def = child(expr, 'create_definitions');
    const type = lower(def, 'constraint_type');
    if (type === 'primary key') return { kind: 'add-primary-key' };
    if (type.startsWith('unique'))
      return { kind: 'add-index', name: text(def, 'index') ?? text(def, 'constraint'), index: 'unique' };
    if (type === 'foreign key') {
      const references = tableName(list(child(def, 'reference_definition'), 'table')[0]);
      return { kind: 'add-foreign-key', name: text(def, 'constraint'), references };
    }
    if (type === 'check') return { kind: 'add-check' };
  }
  if (resource === 'key' && action === 'drop') {
    const keyword = lower(expr, 'keyword');
    if (keyword === 'primary key') return { kind: 'drop-primary-key' };
    if (keyword === 'foreign key') return { kind: 'drop-constraint', name: text(expr, 'key') ?? '?' };
    return { kind: 'drop-index', name: text(expr, 'key') ?? '?' };
  }
  if (resource === 'constraint' && action === 'drop')
    return { kind: 'drop-constraint', name: text(expr, 'constraint') ?? '?' };
  if (resource === 'table' && action === 'rename')
    return { kind: 'rename-table', to: String(expr.table ?? '?') };
  if (
    [
      'engine',
      'row_format',
      'key_block_size',
      'auto_increment',
      'comment',
      'character set',
      'charset',
      'default charset',
      'collate',
      'default collate',
    ].includes(resource)
  ) {
    const raw = expr[resource];
    const value = isNode(raw) ? String(raw.value ?? '') : String(raw ?? '');
    return { kind: 'table-option', option: resource, value: value.toLowerCase() };
  }
  return {
    kind: 'unknown',
    what: [action, resource, lower(expr, 'keyword')].filter((s) => s).join(' ') || 'an unrecognised clause',
  };
}
