import type { FeatureFlagRef } from '../job/feature-flag';
import type { FlagReader } from './types';

export interface FlagReading {
  readonly ref: FeatureFlagRef;
  readonly enabled: boolean;
  /** Why it counts as off when it could not be read. */
  readonly error?: string;
}

/**
 * Reads each flag; one that cannot be read counts as off, with the error kept for the reason:
 * a kill switch that cannot be seen must not be assumed to be on.
 */
export async function readFlags(reader: FlagReader, refs: readonly FeatureFlagRef[]): Promise<FlagReading[]> {
  return Promise.all(
    refs.map(async (ref) => {
      try {
        return { ref, enabled: await reader.isEnabled(ref) };
      } catch (error) {
        return { ref, enabled: false, error: (error as Error).message };
      }
    }),
  );
}

/** One sentence for a flag that is off. */
export function describeOff({ ref, error }: FlagReading): string {
  return error
    ? `feature flag ${ref.flag} could not be read, so it counts as off: ${error}`
    : `feature flag ${ref.flag} is off: turn it on to let the job run`;
}

/**
 * The `{ "<flag>": { "enabled": true|false } }` document of an AppConfig feature-flag profile, as
 * the data API returns it ("Creating a feature flag configuration profile", AWS AppConfig User
 * Guide), and the local flags file: a flag that is missing, or not a boolean, cannot be read.
 */
export function flagFromDocument(document: unknown, flag: string, where: string): boolean {
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new Error(`${where} is not a JSON object of flags`);
  const entry = (document as Record<string, unknown>)[flag];
  if (entry === undefined) throw new Error(`${where} has no flag '${flag}'`);
  const enabled =
    typeof entry === 'object' && entry !== null ? (entry as { enabled?: unknown }).enabled : undefined;
  if (typeof enabled !== 'boolean')
    throw new Error(`${where}: flag '${flag}' has no boolean "enabled" (write { "enabled": true } or false)`);
  return enabled;
}

/** Flags the tests and the demo flip in memory; an unknown flag cannot be read. */
export interface FlagBoard extends FlagReader {
  set(flag: string, enabled: boolean): void;
  /** Makes the flag unreadable, as a deleted flag or a failing service would. */
  remove(flag: string): void;
}

export function createFlagBoard(initial: Readonly<Record<string, boolean>> = {}): FlagBoard {
  const flags = new Map(Object.entries(initial));
  return {
    set: (flag, enabled) => void flags.set(flag, enabled),
    remove: (flag) => void flags.delete(flag),
    async isEnabled({ flag }) {
      const enabled = flags.get(flag);
      if (enabled === undefined) throw new Error(`no flag '${flag}' is set`);
      return enabled;
    },
  };
}
