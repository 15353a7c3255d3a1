import { keyColumnOf, mysqlTimestampProblem } from '../../key-types';
import { describeKey, resolveKey } from '../../keys';
import { isDeclarative, kindOf } from '../../kinds/registry';
import { type PreflightCheck, pass, refuse } from '../types';

export const keyType: PreflightCheck = {
  name: 'key-type',
  description:
    "The key (named, or else the primary key) is of types lowtide carries between batches exactly and in the server's order: integers, decimals, text, uuid, binary, dates and times, enums; not floats, json or nondeterministic collations.",
  async run(ctx) {
    const resolved = resolveKey(ctx.spec, await ctx.indexes());
    if (resolved.problem !== undefined) return refuse(this.name, resolved.problem);
    const shown = describeKey(resolved);
    // A custom job chooses and carries its own keys; it only needs to know how many columns they have.
    // A rollback walks the audit table's copy of its job's key, checked when the job ran.
    if (kindOf(ctx.spec).keys === 'author')
      return pass(this.name, `${shown}, carried as the hooks return it`);
    if (!isDeclarative(ctx.spec)) return pass(this.name, `${shown}, as the job it undoes was checked`);
    const catalog = await ctx.columns();
    const types: string[] = [];
    for (const name of resolved.columns) {
      const info = catalog.find((c) => c.name === name);
      // The columns check reports a missing key column.
      if (!info) return pass(this.name, `key column ${name} is checked by the columns check`);
      const column = keyColumnOf(ctx.db.engine, info);
      if ('problem' in column) return refuse(this.name, column.problem);
      const serverProblem = await mysqlTimestampProblem(ctx.db, info);
      if (serverProblem) return refuse(this.name, serverProblem);
      types.push(`${name} ${info.dataType}`);
    }
    return pass(this.name, `${shown}; types ${types.join(', ')}`);
  },
};
