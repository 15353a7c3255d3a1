import { sql } from '../../../db/sql';
import { KeyCodec } from '../../key-codec';
import { keyColumnsOf } from '../../keys';
import { isDeclarative } from '../../kinds/registry';
import { type PreflightCheck, pass, refuse, SMALL_TABLE_ROWS, warn } from '../types';

export const selectionPlan: PreflightCheck = {
  name: 'selection-plan',
  description: "EXPLAIN of the job's batch selection: a full scan of a large table is refused.",
  appliesTo: (spec) => spec.preflight.requireIndex && isDeclarative(spec),
  async run(ctx) {
    const { spec, db } = ctx;
    const found = await keyColumnsOf(db, spec);
    if ('problem' in found) return pass(this.name, 'the key is checked by the key-type check');
    const codec = new KeyCodec(db.engine, found.columns);
    const where = 'where' in spec && spec.where ? `(${spec.where})` : '1 = 1';
    const stmt = sql(
      db.dialect,
      (b) =>
        `SELECT ${codec.selectKeys(b)} FROM ${b.table(spec.table)} WHERE ${where} ORDER BY ${codec.orderBy(b)} LIMIT ${b.val(spec.batch.size)}`,
    );
    const plan = await db.explain(stmt.text, stmt.values);
    if (!plan.fullScan) return pass(this.name, `batch selection uses an index (${plan.summary})`);
    const rows = await ctx.tableRows();
    if (rows <= SMALL_TABLE_ROWS) {
      return warn(
        this.name,
        `batch selection scans the whole table (${plan.summary}), acceptable for ~${rows} rows`,
      );
    }
    return refuse(
      this.name,
      `batch selection scans the whole table of ~${rows} rows (${plan.summary}): index the key ${codec.columns.join(', ')} (and the predicate's columns) or narrow the where clause`,
    );
  },
};
