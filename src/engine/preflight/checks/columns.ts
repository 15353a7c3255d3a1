import type { JobSpec } from '../../../job/types';
import { formatTableRef } from '../../../sql/identifiers';
import { namedKeyColumns } from '../../keys';
import { kindOf } from '../../kinds/registry';
import { type PreflightCheck, pass, refuse } from '../types';

function columnsNamed(spec: JobSpec): string[] {
  // A key left out is the primary key, whose columns exist.
  const named = [...(namedKeyColumns(spec) ?? []), ...spec.preflight.requireColumns];
  named.push(...Object.keys(kindOf(spec).assignments?.(spec) ?? {}));
  return [...new Set(named)];
}

export const requiredColumns: PreflightCheck = {
  name: 'columns',
  description: 'The key, every SET column and every column in preflight.requireColumns exist.',
  async run(ctx) {
    const present = new Set((await ctx.columns()).map((c) => c.name));
    const missing = columnsNamed(ctx.spec).filter((c) => !present.has(c));
    if (missing.length > 0) {
      return refuse(
        this.name,
        `table ${formatTableRef(ctx.spec.table)} has no column ${missing.join(', ')}: run the migration that adds it, or fix the job`,
      );
    }
    return pass(this.name, `columns present: ${columnsNamed(ctx.spec).join(', ')}`);
  },
};
