import { formatTableRef } from '../../../sql/identifiers';
import { type PreflightCheck, pass, refuse } from '../types';

export const tableExists: PreflightCheck = {
  name: 'table-exists',
  description: "The job's table exists and is visible to the connection's user.",
  async run(ctx) {
    const table = formatTableRef(ctx.spec.table);
    if ((await ctx.columns()).length === 0) {
      return refuse(
        this.name,
        `table ${table} does not exist (or the user cannot see it): check the job's table and database`,
      );
    }
    return pass(this.name, `table ${table} exists`);
  },
};
