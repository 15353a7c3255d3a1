import type { LatencyProfile } from '../../src/runtime/local/latency-profile';
import type { BenchDatabase } from '../bench-database';
import type { LowtideDetails } from '../cost/lowtide-details';
import type { BenchEngine, BenchProfile, BenchSettings, ContenderName } from '../settings';
import type { WorkItem } from '../workload/work-items';

export type { ContenderName } from '../settings';

export interface ContenderContext {
  readonly engine: BenchEngine;
  readonly database: BenchDatabase;
  readonly item: WorkItem;
  readonly settings: BenchSettings;
  /** The latency profile this run is under, by name and its values. */
  readonly profile: BenchProfile;
  readonly latency: LatencyProfile;
  readonly log: (line: string) => void;
}

/** What a contender measured of its own work. */
export interface ContenderRun {
  /** Rows the contender reports it changed. */
  readonly rows: number;
  /** From its first statement (or process start) to its last commit. */
  readonly wallMs: number;
  /** The longest single transaction, by the contender's own clock (see each contender for how). */
  readonly longestTxMs: number;
  readonly transactions: number;
  /** How the longest transaction was measured, for the reader of the results. */
  readonly longestTxSource: string;
  readonly lowtide?: LowtideDetails;
}

export type Availability =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string };

export interface Contender {
  readonly name: ContenderName;
  /** One line for the table and the docs. */
  readonly description: string;
  /** The description for this run's settings, when they change what the contender does. */
  describe?(settings: BenchSettings): string;
  /** Whether this contender takes part in this engine's work item (pt-archiver: MySQL purge only). */
  appliesTo(engine: BenchEngine, item: WorkItem): boolean;
  /** Whether the machine can run it (pt-archiver must be installed). */
  availability(settings: BenchSettings): Promise<Availability>;
  run(ctx: ContenderContext): Promise<ContenderRun>;
}
