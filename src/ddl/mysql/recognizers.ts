import type { Token } from '../../sql/lexer';
import type { MysqlOp, OnlineClauses } from './operations';
import { astify, modelFromAst } from './read-ast';
import type { MysqlModel } from './statement-model';
import { splitTopLevel, TokenCursor } from './tokens';

/**
 * Exact, anchored readings of the few statements and ALTER clauses node-sql-parser 5 cannot
 * parse. Anything that does not match one completely stays unparsed: the guard fails closed.
 */
export function recognizeFallback(tokens: readonly Token[], text: string): MysqlModel | undefined {
  return optimize(tokens) ?? harmlessSet(tokens) ?? alterByClause(tokens, text);
}

function optimize(tokens: readonly Token[]): MysqlModel | undefined {
  const c = new TokenCursor(tokens);
  if (!c.word('optimize')) return undefined;
  c.word('no_write_to_binlog', 'local');
  if (!c.word('table', 'tables')) return undefined;
  const tables: string[] = [];
  do {
    const table = c.tableRef();
    if (!table) return undefined;
    tables.push(table);
  } while (c.op(','));
  return c.done ? { kind: 'optimize', tables } : undefined;
}

/** SET NAMES / SET CHARACTER SET (connection encoding), and `SET [SESSION] var = DEFAULT`. */
function harmlessSet(tokens: readonly Token[]): MysqlModel | undefined {
  const c = new TokenCursor(tokens);
  if (!c.word('set')) return undefined;
  if (c.word('names', 'charset') || (c.word('character') && c.word('set'))) return { kind: 'other' };
  if (c.word('global', 'persist', 'persist_only')) return undefined;
  c.word('session', 'local');
  let name: string | undefined;
  if (c.op('@') && c.op('@')) {
    const first = c.ident();
    name = c.op('.') ? (first?.toLowerCase() === 'session' ? c.ident() : undefined) : first;
  } else {
    name = c.ident();
  }
  if (!name || !(c.op('=') || c.op(':=')) || !c.word('default') || !c.done) return undefined;
  return { kind: 'set', assignments: [{ name: name.toLowerCase(), value: undefined }] };
}

function clauseOp(tokens: readonly Token[]): MysqlOp | undefined {
  const c = new TokenCursor(tokens);
  if (c.word('force')) return c.done ? { kind: 'force' } : undefined;
  if (c.word('convert')) {
    if (!c.word('to')) return undefined;
    if (!(c.word('charset') || (c.word('character') && c.word('set')))) return undefined;
    return { kind: 'convert-charset' };
  }
  if (c.word('rename')) {
    if (!c.word('index', 'key') || !c.ident() || !c.word('to') || !c.ident()) return undefined;
    return c.done ? { kind: 'rename-index' } : undefined;
  }
  if (c.word('alter')) {
    c.word('column');
    const column = c.ident();
    if (!column) return undefined;
    if (c.word('drop')) return c.word('default') && c.done ? { kind: 'column-default', column } : undefined;
    if (c.word('set')) {
      if (c.word('visible', 'invisible')) return c.done ? { kind: 'column-default', column } : undefined;
      // SET DEFAULT <literal or (expression)>: only the default for new rows changes.
      return c.word('default') && !c.done ? { kind: 'column-default', column } : undefined;
    }
  }
  return undefined;
}

function alterClauses(tokens: readonly Token[]): { table: string; clauses: Token[][] } | undefined {
  const c = new TokenCursor(tokens);
  if (!c.word('alter')) return undefined;
  c.word('ignore');
  if (!c.word('table')) return undefined;
  const table = c.tableRef();
  const rest = c.rest();
  if (!table || rest.length === 0) return undefined;
  return { table, clauses: splitTopLevel(rest) };
}

/**
 * An ALTER TABLE with a clause that clauseOp reads: neither of node-sql-parser's grammars has those
 * clauses (test/ddl/mysql-grammar-gaps.test.ts pins that), so parsing the whole statement is sure to
 * fail and only costs time (two failed PEG parses, about a millisecond): go to the fallback first.
 */
export function grammarLacksAClause(tokens: readonly Token[]): boolean {
  return alterClauses(tokens)?.clauses.some((clause) => clauseOp(clause) !== undefined) ?? false;
}

/** ALTER TABLE read clause by clause: by clauseOp where it reads the clause, or else by node-sql-parser. */
function alterByClause(tokens: readonly Token[], text: string): MysqlModel | undefined {
  const alter = alterClauses(tokens);
  if (!alter) return undefined;
  const { table } = alter;
  const ops: MysqlOp[] = [];
  const clauses: OnlineClauses = {};
  for (const clause of alter.clauses) {
    // clauseOp's clauses are ones node-sql-parser cannot read: asking it first would only fail.
    const known = clauseOp(clause);
    if (known) {
      ops.push(known);
      continue;
    }
    const clauseText = text.slice(clause[0]!.start, clause[clause.length - 1]!.end);
    const { ast } = astify(`ALTER TABLE lowtide_probe ${clauseText}`);
    const model = ast ? modelFromAst(ast) : undefined;
    if (model?.kind === 'alter') {
      ops.push(...model.ops);
      clauses.algorithm = model.clauses.algorithm ?? clauses.algorithm;
      clauses.lock = model.clauses.lock ?? clauses.lock;
      continue;
    }
    return undefined;
  }
  return { kind: 'alter', table, ops, clauses };
}
