import { createRequire } from 'node:module';
import type { Parser } from 'node-sql-parser';
import { type AstNode, child, columnName, isNode, list, lower, tableName, text } from './ast';
import { alterItem, type MysqlOp, type OnlineClauses } from './operations';
import type { MysqlModel, SessionAssignment } from './statement-model';

// node-sql-parser's main entry builds the grammars of all its dialects (a quarter of a second and
// tens of MB); its per-dialect builds hold one each, and the MariaDB one is loaded only when the
// MySQL grammar cannot read a statement.
const requireBuild = createRequire(import.meta.url);
const GRAMMARS = { MySQL: 'node-sql-parser/build/mysql', MariaDB: 'node-sql-parser/build/mariadb' } as const;
const parsers = new Map<keyof typeof GRAMMARS, Parser>();

function parserFor(database: keyof typeof GRAMMARS): Parser {
  let parser = parsers.get(database);
  if (!parser) {
    const build = requireBuild(GRAMMARS[database]) as { Parser: new () => Parser };
    parser = new build.Parser();
    parsers.set(database, parser);
  }
  return parser;
}

/** node-sql-parser's MySQL grammar first, then its MariaDB one; undefined when neither reads it. */
export function astify(sql: string): { ast?: AstNode; error?: string } {
  let error = '';
  for (const database of ['MySQL', 'MariaDB'] as const) {
    try {
      const result = parserFor(database).astify(sql, { database }) as unknown;
      const ast = Array.isArray(result) ? result[0] : result;
      if (isNode(ast)) return { ast };
    } catch (e) {
      error ||= e instanceof Error ? e.message : String(e);
    }
  }
  return { error: error || 'no statement found' };
}

function assignments(ast: AstNode): SessionAssignment[] {
  const scope = lower(ast, 'keyword');
  if (scope === 'global' || scope === 'persist' || scope === 'persist_only') return [];
  const out: SessionAssignment[] = [];
  for (const expr of list(ast, 'expr')) {
    const left = child(expr, 'left');
    const prefix = text(left, 'prefix');
    const members = Array.isArray(left?.members) ? left.members.map(String) : [];
    let name = lower(left, 'name');
    if (prefix === '@') continue;
    if (prefix === '@@' && members.length > 0) {
      if (name !== 'session' && name !== 'local') continue;
      name = members[0]!.toLowerCase();
    }
    const right = child(expr, 'right');
    let value: number | undefined;
    if (right?.type === 'number') value = Number(right.value);
    else if (right?.type === 'bool') value = right.value ? 1 : 0;
    else {
      const word = (columnName(right) ?? '').toLowerCase();
      value = word === 'on' ? 1 : word === 'off' ? 0 : undefined;
    }
    out.push({ name, value });
  }
  return out;
}

function onlineOptions(options: readonly AstNode[], clauses: OnlineClauses): void {
  for (const o of options) alterItem(o, clauses);
}

/** The statement's meaning from node-sql-parser's AST. */
export function modelFromAst(ast: AstNode): MysqlModel | undefined {
  const type = lower(ast, 'type');
  const keyword = lower(ast, 'keyword');
  if (type === 'alter') {
    const table = tableName(list(ast, 'table')[0]);
    if (!table) return undefined;
    const clauses: OnlineClauses = {};
    const ops: MysqlOp[] = [];
    for (const expr of list(ast, 'expr')) {
      const op = alterItem(expr, clauses);
      if (op) ops.push(op);
    }
    return { kind: 'alter', table, ops, clauses };
  }
  if (type === 'create' && keyword === 'index') {
    const table = tableName(child(ast, 'table'));
    if (!table) return undefined;
    const clauses: OnlineClauses = {};
    onlineOptions(
      [child(ast, 'algorithm_option'), child(ast, 'lock_option')].filter((o) => o !== undefined),
      clauses,
    );
    const kind = lower(ast, 'index_type');
    const index = kind === 'unique' || kind === 'fulltext' || kind === 'spatial' ? kind : 'plain';
    return { kind: 'alter', table, ops: [{ kind: 'add-index', name: text(ast, 'index'), index }], clauses };
  }
  if (type === 'create' && keyword === 'table') {
    const table = tableName(list(ast, 'table')[0]);
    return table ? { kind: 'create-table', table } : undefined;
  }
  if (type === 'drop' && keyword === 'index') {
    const table = tableName(child(ast, 'table'));
    if (!table) return undefined;
    const clauses: OnlineClauses = {};
    onlineOptions(list(ast, 'options'), clauses);
    return {
      kind: 'alter',
      table,
      ops: [{ kind: 'drop-index', name: columnName(ast.name) ?? '?' }],
      clauses,
    };
  }
  if (type === 'drop') {
    const names = Array.isArray(ast.name) ? list(ast, 'name').map(tableName) : [text(ast, 'name')];
    const tables = names
      .filter((n) => n !== undefined)
      .map((n) => (keyword === 'table' ? n : `${keyword} ${n}`));
    return { kind: 'drop-tables', tables };
  }
  if (type === 'rename') {
    const pairs = (Array.isArray(ast.table) ? ast.table : [])
      .filter((p): p is unknown[] => Array.isArray(p))
      .map(
        (p) =>
          [
            tableName(isNode(p[0]) ? p[0] : undefined) ?? '?',
            tableName(isNode(p[1]) ? p[1] : undefined) ?? '?',
          ] as const,
      );
    return { kind: 'rename-tables', pairs };
  }
  if (type === 'truncate') {
    return {
      kind: 'truncate',
      tables: list(ast, 'name')
        .map(tableName)
        .filter((n) => n !== undefined),
    };
  }
  if (type === 'set') return { kind: 'set', assignments: assignments(ast) };
  if (type === 'update' || type === 'delete') {
    const from = type === 'delete' ? list(ast, 'from') : list(ast, 'table');
    const table = tableName(from[0] ?? list(ast, 'table')[0]);
    if (!table) return undefined;
    const joined = from.length > 1;
    return {
      kind: 'dml',
      verb: type === 'update' ? 'UPDATE' : 'DELETE',
      table,
      hasWhere: ast.where !== null || joined,
    };
  }
  return { kind: 'other' };
}
