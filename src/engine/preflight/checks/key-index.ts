import { type PreflightCheck, pass, refuse } from '../types';

export const keyIndex: PreflightCheck = {
  name: 'key-index',
  description: 'A unique index on the key column, so keyset batches neither skip nor repeat rows.',
  appliesTo: (spec) => spec.preflight.requireIndex,
  async run(ctx) {
    const { key } = ctx.spec;
    const led = (await ctx.indexes()).filter((i) => i.columns[0] === key);
    if (led.length === 0) {
      return refuse(
        this.name,
        `no index is led by key column ${key}: create a unique index on it or choose the primary key as the job's key`,
      );
    }
    const unique = led.find((i) => i.unique && i.columns.length === 1);
    if (!unique) {
      return refuse(
        this.name,
        `index ${led[0]!.name} on ${key} is not unique: keyset batches need a unique key (the primary key, or add a UNIQUE index on ${key})`,
      );
    }
    return pass(this.name, `unique index ${unique.name} serves key ${key}`);
  },
};
