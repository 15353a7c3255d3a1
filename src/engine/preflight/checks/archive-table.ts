import { formatTableRef } from '../../../job/identifiers';
import { type PreflightCheck, pass, refuse } from '../types';

export const archiveTable: PreflightCheck = {
  name: 'archive-table',
  description: 'The archive table exists and has every column of the source table.',
  appliesTo: (spec) => spec.kind === 'archive',
  async run(ctx) {
    const { spec, db } = ctx;
    if (spec.kind !== 'archive') return [];
    const name = formatTableRef(spec.archiveTable);
    const archive = new Set((await db.columns(spec.archiveTable)).map((c) => c.name));
    if (archive.size === 0)
      return refuse(
        this.name,
        `archive table ${name} does not exist: create it with the source table's columns`,
      );
    const missing = (await ctx.columns()).map((c) => c.name).filter((c) => !archive.has(c));
    if (missing.length > 0)
      return refuse(this.name, `archive table ${name} lacks column ${missing.join(', ')}: add it`);
    return pass(this.name, `archive table ${name} has every source column`);
  },
};
