import { compileJob } from '../../kinds/compile';
import { type PreflightCheck, pass, refuse } from '../types';

export const rowEstimate: PreflightCheck = {
  name: 'row-estimate',
  description: "The planner's estimate of rows to change is within limits.maxRows.",
  async run({ spec, db }) {
    const rows = Math.round(await (await compileJob(spec, db)).estimateRows(db));
    const max = spec.limits.maxRows;
    if (max !== undefined && rows > max) {
      return refuse(
        this.name,
        `about ${rows} rows match, over limits.maxRows ${max}: narrow the where clause or raise limits.maxRows`,
      );
    }
    return pass(this.name, `about ${rows} rows to change${max !== undefined ? ` (limit ${max})` : ''}`);
  },
};
