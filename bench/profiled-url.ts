import { delayDatabases } from '../src/runtime/local/delayed-databases';
import type { LatencyProfile } from '../src/runtime/local/latency-profile';

export interface ProfiledUrl {
  /** The database URL to connect to: the server's own, or a delaying proxy's in front of it. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The URL a contender other than lowtide connects to under a latency profile: through the same
 * delaying proxy the local runtime puts in front of lowtide's connections, so both pay the same
 * round trip. Without a round-trip delay, the server's own URL.
 */
export async function profiledUrl(url: string, latency: LatencyProfile): Promise<ProfiledUrl> {
  if (latency.databaseRoundTripMs <= 0) return { url, close: async () => {} };
  const delayed = await delayDatabases({ db: url }, latency.databaseRoundTripMs);
  return { url: delayed.databases.db as string, close: () => delayed.close() };
}
