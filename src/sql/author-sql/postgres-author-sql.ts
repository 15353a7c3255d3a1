import type { FragmentRole } from '../sql-fragment';
import { visitObjects } from './walk-ast';

/**
 * Functions that write, signal other sessions or take locks: refused by name, since a predicate
 * or a check that calls one does something besides answering. (A user-defined function that
 * writes cannot be seen from the text; plan and preflight run author SQL read-only, see
 * Database.withReadOnlyTransaction.)
 */
const WRITING_FUNCTIONS = new Set([
  'nextval',
  'setval',
  'set_config',
  'pg_notify',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_switch_wal',
  'pg_create_restore_point',
  'pg_logical_emit_message',
  'pg_file_write',
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
]);
const WRITING_PREFIXES = [
  'pg_advisory_',
  'pg_try_advisory_',
  'lo_',
  'dblink',
  'pg_stat_reset',
  'pg_create_',
  'pg_drop_',
  'pg_replication_origin_',
];

const MODIFYING = ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'];

function functionName(call: Record<string, unknown>): string {
  const parts = (call.funcname as { String?: { sval?: string } }[] | undefined) ?? [];
  return (parts[parts.length - 1]?.String?.sval ?? '').toLowerCase();
}

/** Anything inside the tree that is not a plain read. */
function writeInside(tree: unknown): string | undefined {
  return visitObjects(tree, (node) => {
    for (const kind of MODIFYING)
      if (kind in node)
        return `contains a data-modifying statement (${kind.replace('Stmt', '').toUpperCase()})`;
    const select = node.SelectStmt as Record<string, unknown> | undefined;
    if (select?.intoClause) return 'contains SELECT INTO, which creates a table';
    if (select?.lockingClause || node.lockingClause) return 'contains FOR UPDATE/SHARE, which locks rows';
    const call = node.FuncCall as Record<string, unknown> | undefined;
    if (call) {
      const name = functionName(call);
      if (WRITING_FUNCTIONS.has(name) || WRITING_PREFIXES.some((p) => name.startsWith(p)))
        return `calls ${name}(), which writes or takes locks`;
    }
    return undefined;
  });
}

interface PgParse {
  stmts?: { stmt?: Record<string, unknown> }[];
}

/** The PostgreSQL grammar's verdict on one author fragment (libpg-query, loaded on first use). */
export async function postgresAuthorSqlProblem(
  text: string,
  role: FragmentRole,
): Promise<string | undefined> {
  const { parse, SqlError } = await import('libpg-query');
  let tree: PgParse;
  try {
    tree = (await parse(role === 'expression' ? `SELECT ${text}` : text)) as PgParse;
  } catch (error) {
    // Only the grammar's verdict is the author's to fix; a parser that failed to load (its wasm
    // missing from a bundle) must not pass for a syntax error.
    if (!(error instanceof SqlError)) throw error;
    return `PostgreSQL cannot parse it (${error.message})`;
  }
  const statements = tree.stmts ?? [];
  if (statements.length !== 1) return `is ${statements.length} statements, not one`;
  const stmt = statements[0]!.stmt ?? {};
  const select = stmt.SelectStmt as Record<string, unknown> | undefined;
  if (!select)
    return `is a ${Object.keys(stmt)[0]?.replace('Stmt', '').toUpperCase() ?? 'non-SELECT'} statement, not a SELECT`;
  if (role === 'expression') {
    const extra = Object.keys(select).filter((k) => !['targetList', 'limitOption', 'op'].includes(k));
    if (select.op !== 'SETOP_NONE' || extra.length > 0)
      return `reads as more than an expression (${select.op !== 'SETOP_NONE' ? String(select.op) : extra.join(', ')})`;
    const targets = (select.targetList as { ResTarget?: Record<string, unknown> }[] | undefined) ?? [];
    if (targets.length !== 1) return `is ${targets.length} expressions separated by commas, not one`;
    const target = targets[0]!.ResTarget ?? {};
    if (target.name) return `ends in an alias (AS ${String(target.name)})`;
    if (
      visitObjects(target.val, (n) => ('A_Star' in n ? 'star' : undefined)) &&
      'ColumnRef' in (target.val as object)
    )
      return "is '*', not an expression";
  }
  return writeInside(stmt);
}
