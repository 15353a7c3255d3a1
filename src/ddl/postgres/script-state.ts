import type { Node, VariableSetStmt } from 'libpg-query';
import { constantText, names, nodeAs, relationName } from './nodes';

/** PostgreSQL interval input for lock_timeout: a bare number is milliseconds. */
const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseTimeoutMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[(m[2] ?? 'ms').toLowerCase()]!;
}

interface KnownConstraint {
  /** The column of a `CHECK (col IS NOT NULL)`; undefined for any other constraint. */
  readonly column?: string;
  validated: boolean;
  /** The transaction it was added NOT VALID in (see PgScriptState.transaction); undefined outside one. */
  readonly addedInTransaction?: number;
}

/** What earlier statements of the script changed that later statements depend on. */
export class PgScriptState {
  inTransaction = false;
  /** Counts transaction blocks, so "the same transaction" can be told from a later one. */
  private transaction = 0;
  private readonly session = new Map<string, number | undefined>();
  private readonly local = new Map<string, number | undefined>();
  private readonly created = new Set<string>();
  /** table -> constraint name -> what is known of it, from this script or the catalog. */
  private readonly constraints = new Map<string, Map<string, KnownConstraint>>();

  get lockTimeoutMs(): number | undefined {
    return this.timeout('lock_timeout');
  }

  get statementTimeoutMs(): number | undefined {
    return this.timeout('statement_timeout');
  }

  private timeout(name: string): number | undefined {
    const ms = this.local.has(name) ? this.local.get(name) : this.session.get(name);
    return ms === undefined || ms <= 0 ? undefined : ms;
  }

  /**
   * A new source begins: with `wrapped`, the tool running it opens a transaction around it (as
   * migration tools do), so the source runs as if it began with BEGIN.
   */
  beginSource(wrapped: boolean): void {
    if (wrapped && !this.inTransaction) this.begin();
  }

  /** The source ended: the transaction a tool wrapped it in commits. */
  endSource(wrapped: boolean): void {
    if (wrapped && this.inTransaction) this.end();
  }

  private begin(): void {
    this.inTransaction = true;
    this.transaction++;
  }

  private end(): void {
    this.inTransaction = false;
    this.local.clear();
  }

  createdInScript(table: string): boolean {
    return this.created.has(table);
  }

  knowsConstraint(table: string, name: string): boolean {
    return this.constraints.get(table)?.has(name) ?? false;
  }

  /** What the catalog says about a constraint the script did not create. */
  learnConstraint(table: string, name: string, facts: { validated: boolean; notNullColumn?: string }): void {
    this.constraintsOf(table).set(name, { column: facts.notNullColumn, validated: facts.validated });
  }

  /** The constraint was added NOT VALID earlier in the transaction block that is still open. */
  addedNotValidInThisTransaction(table: string, name: string): boolean {
    const known = this.constraints.get(table)?.get(name);
    return (
      this.inTransaction &&
      known?.addedInTransaction !== undefined &&
      known.addedInTransaction === this.transaction
    );
  }

  provenNotNull(table: string, column: string): boolean {
    for (const check of this.constraints.get(table)?.values() ?? []) {
      if (check.column === column && check.validated) return true;
    }
    return false;
  }

  private constraintsOf(table: string): Map<string, KnownConstraint> {
    let known = this.constraints.get(table);
    if (!known) {
      known = new Map();
      this.constraints.set(table, known);
    }
    return known;
  }

  /** Records the effect of a statement that ran without error. */
  apply(node: Node): void {
    const tx = nodeAs(node, 'TransactionStmt');
    if (tx) {
      if ((tx.kind === 'TRANS_STMT_BEGIN' || tx.kind === 'TRANS_STMT_START') && !this.inTransaction)
        this.begin();
      if (
        tx.kind === 'TRANS_STMT_COMMIT' ||
        tx.kind === 'TRANS_STMT_ROLLBACK' ||
        tx.kind === 'TRANS_STMT_PREPARE'
      ) {
        this.end();
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
      this.session.clear();
      this.local.clear();
      return;
    }
    if (set.name !== 'lock_timeout' && set.name !== 'statement_timeout') return;
    let value: number | undefined;
    if (set.kind === 'VAR_SET_VALUE') {
      const text = constantText(nodeAs(set.args?.[0], 'A_Const'));
      value = text === undefined ? undefined : parseTimeoutMs(text);
    }
    // SET LOCAL outside a transaction has no effect (PostgreSQL only warns).
    if (set.is_local) {
      if (this.inTransaction) this.local.set(set.name, value);
    } else {
      this.session.set(set.name, value);
      // A plain SET inside the block also replaces what SET LOCAL gave until COMMIT.
      this.local.delete(set.name);
    }
  }

  private applyConstraints(node: Node): void {
    const alter = nodeAs(node, 'AlterTableStmt');
    const table = relationName(alter?.relation);
    if (!alter || !table) return;
    const known = this.constraintsOf(table);
    for (const item of alter.cmds ?? []) {
      const cmd = nodeAs(item, 'AlterTableCmd');
      if (cmd?.subtype === 'AT_AddConstraint') {
        const c = nodeAs(cmd.def, 'Constraint');
        if (!c) continue;
        const column = c.contype === 'CONSTR_CHECK' ? notNullTestColumn(c.raw_expr) : undefined;
        const notValid = c.skip_validation === true;
        known.set(c.conname ?? `(unnamed ${known.size})`, {
          column,
          validated: !notValid,
          ...(notValid && this.inTransaction ? { addedInTransaction: this.transaction } : {}),
        });
      } else if (cmd?.subtype === 'AT_ValidateConstraint' && cmd.name) {
        const check = known.get(cmd.name);
        if (check) check.validated = true;
      } else if (cmd?.subtype === 'AT_DropConstraint' && cmd.name) {
        known.delete(cmd.name);
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
