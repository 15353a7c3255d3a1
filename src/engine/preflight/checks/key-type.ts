import { keyTypeProblem } from '../../keys';
import { isDeclarative } from '../../kinds/registry';
import { type PreflightCheck, pass, refuse } from '../types';

export const keyType: PreflightCheck = {
  name: 'key-type',
  description:
    "The key column is of a type lowtide carries between batches exactly and in the server's order (integers, text, uuid).",
  // A custom job chooses and carries its own keys; a rollback walks the key its job was checked on.
  appliesTo: (spec) => isDeclarative(spec),
  async run(ctx) {
    const { key } = ctx.spec;
    const column = (await ctx.columns()).find((c) => c.name === key);
    // The columns check reports a missing key.
    if (!column) return pass(this.name, `key column ${key} is checked by the columns check`);
    const problem = keyTypeProblem(column.name, column.dataType);
    return problem ? refuse(this.name, problem) : pass(this.name, `key ${key} is of type ${column.dataType}`);
  },
};
