import type { FragmentRole } from '../sql-fragment';
import { visitObjects } from './walk-ast';

/** Functions that take locks or advance sequences (MariaDB): a read must not call them. */
const WRITING_FUNCTIONS = new Set([
  'get_lock',
  'release_lock',
  'release_all_locks',
  'nextval',
  'setval',
  'lastval',
]);
/** Statements MySQL allows only at the top level; a SELECT that holds one is not a read. */
const MODIFYING = new Set(['insert', 'replace', 'update', 'delete']);

type Ast = Record<string, unknown>;

function functionName(node: Ast): string {
  const name = node.name as { name?: { value?: string }[] } | string | undefined;
  if (typeof name === 'string') return name.toLowerCase();
  const parts = name?.name ?? [];
  return String(parts[parts.length - 1]?.value ?? '').toLowerCase();
}

function writeInside(tree: unknown): string | undefined {
  return visitObjects(tree, (node) => {
    const type = typeof node.type === 'string' ? node.type.toLowerCase() : '';
    if (MODIFYING.has(type)) return `contains a ${type.toUpperCase()} statement`;
    if (type === 'assign') return 'assigns a variable (:=)';
    if (type === 'select' || 'locking_read' in node) {
      if (node.locking_read) return `contains ${String(node.locking_read)}, which locks rows`;
      const into = node.into as { position?: unknown } | undefined;
      if (into?.position) return 'contains SELECT ... INTO, which writes a variable or a file';
    }
    if (type === 'function' || type === 'aggr_func') {
      const name = functionName(node);
      if (WRITING_FUNCTIONS.has(name)) return `calls ${name.toUpperCase()}(), which takes locks or writes`;
    }
    return undefined;
  });
}

let parser: Promise<{ astify(sql: string, opt: { database: string }): unknown }> | undefined;

/** node-sql-parser, loaded on first use so code that never validates SQL never loads it. */
function loadParser() {
  parser ??= import('node-sql-parser').then((m) => new m.default.Parser());
  return parser;
}

/** The MySQL grammar's reading, then MariaDB's (node-sql-parser has both); the first that reads it. */
async function astify(text: string): Promise<{ ast?: unknown; error?: string }> {
  const p = await loadParser();
  let error = '';
  for (const database of ['MySQL', 'MariaDB']) {
    try {
      return { ast: p.astify(text, { database }) };
    } catch (e) {
      error ||= e instanceof Error ? e.message : String(e);
    }
  }
  return { error };
}

const EXPRESSION_ONLY = [
  'from',
  'where',
  'groupby',
  'having',
  'orderby',
  'limit',
  'window',
  'with',
  'options',
  'distinct',
  '_next',
];

/** The MySQL/MariaDB grammar's verdict on one author fragment. */
export async function mysqlAuthorSqlProblem(text: string, role: FragmentRole): Promise<string | undefined> {
  const { ast, error } = await astify(role === 'expression' ? `SELECT ${text}` : text);
  if (error !== undefined)
    return `MySQL's grammar (node-sql-parser) cannot read it (${error.split('\n')[0]})`;
  const statements = (Array.isArray(ast) ? ast : [ast]) as Ast[];
  if (statements.length !== 1) return `is ${statements.length} statements, not one`;
  const stmt = statements[0]!;
  if (stmt.type !== 'select') return `is a ${String(stmt.type).toUpperCase()} statement, not a SELECT`;
  if (role === 'expression') {
    const extra = EXPRESSION_ONLY.filter((k) => {
      const v = stmt[k];
      if (k === 'limit')
        return v !== null && v !== undefined && ((v as { value?: unknown[] }).value?.length ?? 1) > 0;
      if (k === 'groupby')
        return v !== null && v !== undefined && (v as { columns?: unknown }).columns !== null;
      return v !== null && v !== undefined;
    });
    if (extra.length > 0) return `reads as more than an expression (${extra.join(', ')})`;
    const columns = Array.isArray(stmt.columns) ? (stmt.columns as Ast[]) : [];
    if (columns.length !== 1) return `is ${columns.length} expressions separated by commas, not one`;
    if (columns[0]!.as) return `ends in an alias (AS ${String(columns[0]!.as)})`;
    const expr = columns[0]!.expr as Ast | undefined;
    if (expr?.type === 'column_ref' && expr.column === '*') return "is '*', not an expression";
  }
  return writeInside(stmt);
}
