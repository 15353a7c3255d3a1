import { describeOff, readFlags } from '../health/flag-state';
import type { FlagReader } from '../health/types';
import type { FeatureFlagRef } from '../job/feature-flag';
import type { CheckResult } from '../job/types';

export const FLAG_CHECK = 'feature-flag';

/** Preflight's side of the feature flags: each one that gates the job must be on; unreadable is off. */
export async function flagCheck(reader: FlagReader, refs: readonly FeatureFlagRef[]): Promise<CheckResult[]> {
  if (refs.length === 0) return [];
  return (await readFlags(reader, refs)).map((reading) =>
    reading.enabled
      ? { name: FLAG_CHECK, ok: true, severity: 'error', reason: `feature flag ${reading.ref.flag} is on` }
      : {
          name: FLAG_CHECK,
          ok: false,
          severity: 'error',
          reason: `flag:${reading.ref.flag}: ${describeOff(reading)}`,
        },
  );
}
