import type { ArchiveJobSpec } from '../../../job/types';
import { formatTableRef } from '../../../sql/identifiers';
import { qualifiedName, resolveTable } from '../../target';
import { type PreflightCheck, pass, refuse } from '../types';

/** Listed by the archive kind (kinds/traits/archive.ts), which runs it for archive jobs only. */
export const archiveTable: PreflightCheck<ArchiveJobSpec> = {
  name: 'archive-table',
  description: 'The archive table exists, is not the source table, and has every column of the source table.',
  async run(ctx) {
    const { spec, db } = ctx;
    const name = formatTableRef(spec.archiveTable);
    const archive = new Set((await db.columns(spec.archiveTable)).map((c) => c.name));
    if (archive.size === 0)
      return refuse(
        this.name,
        `archive table ${name} does not exist: create it with the source table's columns`,
      );
    // `t` and `s.t` are one table when the search_path (PostgreSQL) or the connection's database
    // (MySQL) puts `t` in `s`: only the server can say, so the job file check leaves it to here.
    const [source, target] = [await resolveTable(db, spec.table), await resolveTable(db, spec.archiveTable)];
    if (source && target && qualifiedName(source) === qualifiedName(target))
      return refuse(
        this.name,
        `archive table ${name} is the job's table ${formatTableRef(spec.table)} (both are ${qualifiedName(source)} on this connection): name the table the rows are moved to`,
      );
    const missing = (await ctx.columns()).map((c) => c.name).filter((c) => !archive.has(c));
    if (missing.length > 0)
      return refuse(this.name, `archive table ${name} lacks column ${missing.join(', ')}: add it`);
    return pass(this.name, `archive table ${name} has every source column`);
  },
};
