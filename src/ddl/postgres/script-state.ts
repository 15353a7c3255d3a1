import type { Node, VariableSetStmt } from 'libpg-query';
import { constantText, names, nodeAs, relationName } from './nodes';

/** PostgreSQL interval input for lock_timeout: a bare number is milliseconds. */
const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseTimeoutMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[(m[2] ?? 'ms').toLowerCase()]!;
}

/** What earlier statements of the script changed that later statements depend on. */
export class PgScriptState {
  inTransaction = false;
  private sessionTimeoutMs: number | undefined;
  private localTimeoutMs: number | undefined;
  private readonly created = new Set<string>();
  /** table -> constraint name -> { column, validated } for CHECK (col IS NOT NULL). */
  private readonly notNullChecks = new Map<string, Map<string, { column: string; validated: boolean }>>();

  get lockTimeoutMs(): number | undefined {
    const ms = this.localTimeoutMs ?? this.sessionTimeoutMs;
    return ms === undefined || ms <= 0 ? undefined : ms;
  }

  createdInScript(table: string): boolean {
    return this.created.has(table);
  }

  provenNotNull(table: string, column: string): boolean {
    for (const check of this.notNullChecks.get(table)?.values() ?? []) {
      if (check.column === column && check.validated) return true;
    }
    return false;
  }

  /** Records the effect of a statement that ran without error. */
  apply(node: Node): void {
    const tx = nodeAs(node, 'TransactionStmt');
    if (tx) {
      if (tx.kind === 'TRANS_STMT_BEGIN' || tx.kind === 'TRANS_STMT_START') this.inTransaction = true;
      if (
        tx.kind === 'TRANS_STMT_COMMIT' ||
        tx.kind === 'TRANS_STMT_ROLLBACK' ||
        tx.kind === 'TRANS_STMT_PREPARE'
      ) {
        this.inTransaction = false;
        this.localTimeoutMs = undefined;
      }
      return;
    }
    const set = nodeAs(node, 'VariableSetStmt');
    if (set) {
      this.applySet(set);
      return;
    }
    const create = nodeAs(node, 'CreateStmt');
    const createdName =
      relationName(create?.relation) ?? relationName(nodeAs(node, 'CreateTableAsStmt')?.into?.rel);
    if (createdName) {
      this.created.add(createdName);
      return;
    }
    this.applyConstraints(node);
  }

  private applySet(set: VariableSetStmt): void {
    if (set.kind === 'VAR_RESET_ALL') {
      this.sessionTimeoutMs = undefined;
      this.localTimeoutMs = undefined;
      return;
    }
    if (set.name !== 'lock_timeout') return;
    let value: number | undefined;
    if (set.kind === 'VAR_SET_VALUE') {
      const text = constantText(nodeAs(set.args?.[0], 'A_Const'));
      value = text === undefined ? undefined : parseTimeoutMs(text);
    }
    // SET LOCAL outside a transaction has no effect (PostgreSQL only warns).
    if (set.is_local) {
      if (this.inTransaction) this.localTimeoutMs = value;
    } else {
      this.sessionTimeoutMs = value;
    }
  }

  private applyConstraints(node: Node): void {
    const alter = nodeAs(node, 'AlterTableStmt');
    const table = relationName(alter?.relation);
    if (!alter || !table) return;
    const checks = this.notNullChecks.get(table) ?? new Map<string, { column: string; validated: boolean }>();
    this.notNullChecks.set(table, checks);
    for (const item of alter.cmds ?? []) {
      const cmd = nodeAs(item, 'AlterTableCmd');
      if (cmd?.subtype === 'AT_AddConstraint') {
        const c = nodeAs(cmd.def, 'Constraint');
        const column = c?.contype === 'CONSTR_CHECK' ? notNullTestColumn(c.raw_expr) : undefined;
        if (c && column)
          checks.set(c.conname ?? `(unnamed ${checks.size})`, { column, validated: !c.skip_validation });
      } else if (cmd?.subtype === 'AT_ValidateConstraint' && cmd.name) {
        const check = checks.get(cmd.name);
        if (check) check.validated = true;
      } else if (cmd?.subtype === 'AT_DropConstraint' && cmd.name) {
        checks.delete(cmd.name);
      }
    }
  }
}

/** The column of `col IS NOT NULL`, the only CHECK that lets SET NOT NULL skip its scan. */
function notNullTestColumn(expr: Node | undefined): string | undefined {
  const test = nodeAs(expr, 'NullTest');
  if (test?.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = names(nodeAs(test.arg, 'ColumnRef')?.fields);
  return fields.length === 1 ? fields[0] : undefined;
}
