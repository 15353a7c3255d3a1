import { kindOf } from '../../kinds/registry';
import { type PreflightCheck, pass, refuse } from '../types';

export const keyNotNull: PreflightCheck = {
  name: 'key-not-null',
  description:
    'The key column is NOT NULL: keyset batches compare keys, and a row with a NULL key is never reached.',
  // Whatever preflight.requireIndex says: skipping the index check must not skip rows silently.
  // A custom job chooses and carries its own keys.
  appliesTo: (spec) => kindOf(spec).keys === 'lowtide',
  async run(ctx) {
    const { key } = ctx.spec;
    const column = (await ctx.columns()).find((c) => c.name === key);
    if (!column) return pass(this.name, `key column ${key} is checked by the columns check`);
    if (column.nullable) {
      return refuse(
        this.name,
        `key column ${key} is nullable: make it NOT NULL (rows with a NULL key would never be reached and the job would report done without them), or key the job on the primary key`,
      );
    }
    return pass(this.name, `key column ${key} is NOT NULL`);
  },
};
