import type { LatencyProfile } from '../../src/runtime/local/latency-profile';
import type { ContenderName } from '../contenders/types';
import type { LowtideDetails } from '../cost/lowtide-details';
import type { ForegroundStats } from '../foreground/types';
import type { MachineCpu } from '../measure/cpu-time';
import type { PauseLatency } from '../measure/pause-latency';
import type { BenchEngine, BenchProfile, LowtideJobOverrides, WorkKind } from '../settings';
import type { OutcomeCheck } from '../workload/verify-outcome';

/** One run of one contender (one round). */
export interface ContenderResult {
  readonly name: ContenderName;
  readonly description: string;
  /** unavailable: the machine lacks it (the reason says what to install); failed: it ran and did not finish its work. */
  readonly status: 'measured' | 'unavailable' | 'failed';
  readonly reason?: string;
  readonly rows?: number;
  readonly wallMs?: number;
  readonly rowsPerSecond?: number;
  readonly longestTxMs?: number;
  readonly transactions?: number;
  readonly longestTxSource?: string;
  /**
   * CPU the contender's client used on this machine (the bench process and the programs it ran).
   * lowtide's includes its state machine, handlers and DynamoDB, which on AWS run off the database host.
   */
  readonly clientCpuMs?: number;
  /** The foreground load alone, on the same table, just before the contender started. */
  readonly baseline?: ForegroundStats;
  readonly baselineMachine?: MachineCpu;
  /** The foreground load while the contender ran. */
  readonly foreground?: ForegroundStats;
  /** How busy the whole machine was while the contender ran (other work on it shows here). */
  readonly machine?: MachineCpu;
  readonly outcome?: OutcomeCheck;
  readonly lowtide?: LowtideDetails;
}

/** Medians over a contender's rounds (its longest transaction: the longest of all). */
export interface ContenderSummary {
  readonly name: ContenderName;
  readonly description: string;
  /** failed when any round failed (its reason is kept). */
  readonly status: ContenderResult['status'];
  readonly reason?: string;
  readonly rounds: readonly ContenderResult[];
  readonly rowsPerSecond?: number;
  readonly wallMs?: number;
  readonly longestTxMs?: number;
  readonly transactions?: number;
  readonly clientCpuMs?: number;
  readonly foreground?: {
    readonly baselineP99: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
    readonly errors: number;
    readonly p99VsBaseline: number;
    readonly readServiceP99: number;
    readonly readServiceP99VsBaseline: number;
    readonly writeP99: number;
    readonly writeP99VsBaseline: number;
    readonly machineBusy: number;
  };
}

export interface TargetCheck {
  readonly id:
    | 'throughput-vs-hand-loop'
    | 'throughput-vs-monolithic'
    | 'longest-transaction'
    | 'foreground-p99'
    | 'foreground-p99-vs-hand-loop'
    | 'cost-per-million-rows'
    | 'pause-latency';
  readonly description: string;
  /** The measured ratio: the median over rounds of each round's ratio (longest transaction: the worst round). */
  readonly value: number | null;
  readonly threshold: number;
  /** What value and threshold measure: a ratio (the default), US dollars per million rows, or milliseconds. */
  readonly unit?: 'ratio' | 'usd' | 'ms';
  /** `min`: value must be at least the threshold; `max`: must stay below it. */
  readonly direction: 'min' | 'max';
  readonly met: boolean;
  /** Why it is not met, or why it could not be judged, from this run's numbers (its median round). */
  readonly reason?: string;
}

export interface WorkResult {
  readonly engine: BenchEngine;
  readonly work: WorkKind;
  /** The latency profile every contender ran under (see BenchSettings.profiles), and its values. */
  readonly profile: BenchProfile;
  readonly latency: LatencyProfile;
  readonly serverVersion: string;
  readonly targetRows: number;
  readonly tableRows: number;
  readonly foregroundDriver: ForegroundStats['driver'];
  readonly foregroundNote: string;
  /** Each contender ran this many times, round after round, on a fresh table each time. */
  readonly rounds: number;
  readonly contenders: readonly ContenderSummary[];
  /** lowtide paused mid-run on a table of its own, once per work item and profile; absent when lowtide did not run. */
  readonly pause?: PauseLatency | { readonly failed: string };
  readonly targets: readonly TargetCheck[];
}

export interface BenchResults {
  /** 2: work results per latency profile. */
  readonly schema: 2;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly host: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGb: number;
    readonly node: string;
    readonly platform: string;
  };
  readonly settings: {
    readonly rows: number;
    readonly foregroundRate: number;
    readonly foregroundConnections: number;
    readonly baselineSeconds: number;
    readonly warmUpMs: number;
    readonly msPerSecond: number;
    readonly rounds: number;
    readonly profiles: readonly BenchProfile[];
    /** lowtide's job fields changed from the defaults for this run, if any. */
    readonly lowtideJob?: LowtideJobOverrides;
  };
  readonly results: readonly WorkResult[];
}
