import type { CheckResult, CustomJobSpec } from '../../../job/types';
import { type PreflightCheck, pass, refuse } from '../types';

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === 1n || value === '1' || value === 't' || value === 'true';
}

/** Named SQL checks from the job (schema version, a feature flag row): each must return true. */
export const customSql: PreflightCheck = {
  name: 'custom-sql',
  description: 'Each of preflight.checks returns true in the first column of its first row.',
  appliesTo: (spec) => spec.preflight.checks.length > 0,
  async run({ spec, db }) {
    const results: CheckResult[] = [];
    for (const check of spec.preflight.checks) {
      const name = `check:${check.name}`;
      try {
        const { rows } = await db.query<Record<string, unknown>>(check.sql);
        const value = rows[0] ? Object.values(rows[0])[0] : undefined;
        results.push(
          truthy(value)
            ? pass(name, `${check.name} holds`)
            : refuse(
                name,
                check.reason ?? `${check.name} returned ${JSON.stringify(value ?? null)}, not true`,
              ),
        );
      } catch (error) {
        results.push(refuse(name, `${check.name} could not run: ${(error as Error).message}`));
      }
    }
    return results;
  },
};

/** A custom job's own checks; listed by the custom kind (kinds/traits/custom.ts). */
export const customJobChecks: PreflightCheck<CustomJobSpec> = {
  name: 'custom-job',
  description: "A custom job's checks(db) all pass.",
  appliesTo: (spec) => typeof spec.checks === 'function',
  async run({ spec, db }) {
    if (!spec.checks) return [];
    return spec.checks(db);
  },
};
