import { resolveKey } from '../../keys';
import { kindOf } from '../../kinds/registry';
import { type PreflightCheck, pass, refuse } from '../types';

export const keyNotNull: PreflightCheck = {
  name: 'key-not-null',
  description:
    'Every key column is NOT NULL: keyset batches compare keys, and a row with a NULL in its key is never reached.',
  // Whatever preflight.requireIndex says: skipping the index check must not skip rows silently.
  // A custom job chooses and carries its own keys.
  appliesTo: (spec) => kindOf(spec).keys === 'lowtide',
  async run(ctx) {
    const resolved = resolveKey(ctx.spec, await ctx.indexes());
    if (resolved.problem !== undefined) return pass(this.name, 'the key is checked by the key-type check');
    const columns = await ctx.columns();
    const nullable = resolved.columns.filter((name) => columns.find((c) => c.name === name)?.nullable);
    if (nullable.length > 0) {
      return refuse(
        this.name,
        `key column ${nullable.join(', ')} ${nullable.length > 1 ? 'are' : 'is'} nullable: make ${nullable.length > 1 ? 'them' : 'it'} NOT NULL (rows with a NULL key would never be reached and the job would report done without them), or key the job on the primary key`,
      );
    }
    return pass(
      this.name,
      `key column${resolved.columns.length > 1 ? 's' : ''} ${resolved.columns.join(', ')} NOT NULL`,
    );
  },
};
