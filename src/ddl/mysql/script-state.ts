import type { MysqlModel } from './statement-model';

/** What earlier statements of a MySQL script set that later statements depend on. */
export class MysqlScriptState {
  /** Session lock_wait_timeout in seconds; undefined while it is the server default (a year). */
  lockWaitSeconds: number | undefined;
  /** Session foreign_key_checks; on unless the script turned it off. */
  foreignKeyChecks = true;
  private readonly created = new Set<string>();

  createdInScript(table: string): boolean {
    return this.created.has(table);
  }

  apply(model: MysqlModel): void {
    if (model.kind === 'create-table') this.created.add(model.table);
    if (model.kind !== 'set') return;
    for (const { name, value } of model.assignments) {
      if (name === 'lock_wait_timeout') this.lockWaitSeconds = value;
      if (name === 'foreign_key_checks') this.foreignKeyChecks = value !== 0;
    }
  }
}
