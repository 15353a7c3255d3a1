/**
 * Latencies the local runtime can add so a run here pays roughly what the same run pays on AWS:
 * everything in this process is otherwise a function call or a loopback round trip, which makes
 * the per-batch control loop look far cheaper than it is deployed.
 */
export interface LatencyProfile {
  /** Added before each Lambda-backed Task state's handler runs: Step Functions invoking a warm function. */
  readonly lambdaInvokeMs: number;
  /** Added for each state entered (Task, Choice, Wait, Pass, Succeed): a Standard workflow's transition. */
  readonly stateTransitionMs: number;
  /** Added before each request to the control table (DynamoDB). */
  readonly dynamoRequestMs: number;
  /**
   * Added to each database round trip by a TCP proxy between lowtide's connections and the server:
   * every message from the client reaches the server this much later, on average (Node's timers
   * resolve to about 1 ms, so a shorter delay is carried over and paid with later messages).
   */
  readonly databaseRoundTripMs: number;
}

export type LatencyProfileName = 'none' | 'aws';

export const LATENCY_PROFILE_NAMES: readonly LatencyProfileName[] = ['none', 'aws'];

/** Why a control-plane delay is being waited, for a test that counts them. */
export type LatencyCause = 'lambda-invoke' | 'state-transition' | 'dynamo-request';

export const NO_LATENCY: LatencyProfile = {
  lambdaInvokeMs: 0,
  stateTransitionMs: 0,
  dynamoRequestMs: 0,
  databaseRoundTripMs: 0,
};

/**
 * Estimates, not measurements: AWS publishes no latency figure for most of these, so each value is
 * a round number inside what its document describes and what is commonly observed; see
 * docs/benchmarks.md ("AWS latency profile") for the reasoning. Change them with a custom profile.
 */
export const AWS_LATENCY: LatencyProfile = {
  // "Understanding the Lambda execution environment lifecycle" (AWS Lambda Developer Guide): a warm
  // invocation reuses the environment and skips Init, but still crosses Step Functions' Lambda
  // integration and the Invoke API ("Invoke an AWS Lambda function with Step Functions"); no figure
  // is published.
  // Estimate: 20 ms per invocation.
  lambdaInvokeMs: 20,
  // "Choosing workflow type in Step Functions" (AWS Step Functions Developer Guide): Standard
  // workflows are durable, exactly-once and billed per transition, and Express ones are the choice
  // for high event rates; no per-transition latency is published. Estimate: 20 ms per state entered.
  stateTransitionMs: 20,
  // "What is Amazon DynamoDB?" (Amazon DynamoDB Developer Guide): "single-digit millisecond
  // performance at any scale". Estimate: 5 ms per request from a Lambda function in the same Region.
  dynamoRequestMs: 5,
  // "Regions, Availability Zones, and Local Zones" (Amazon RDS User Guide) and "AWS Global
  // Infrastructure": AZs are linked by low-latency networks; inside one AZ a round trip between a
  // Lambda function's VPC interface and an RDS instance is well under a millisecond. Estimate: 0.5 ms.
  databaseRoundTripMs: 0.5,
};

const PROFILES: Readonly<Record<LatencyProfileName, LatencyProfile>> = { none: NO_LATENCY, aws: AWS_LATENCY };

/** A profile by name, or one's own values (missing ones 0). */
export type LatencyOption = LatencyProfileName | Partial<LatencyProfile>;

/** Upper bound on any one delay: beyond it a value is a mistake (seconds typed as milliseconds). */
const MAX_DELAY_MS = 60_000;

export function isLatencyProfileName(value: string): value is LatencyProfileName {
  return (LATENCY_PROFILE_NAMES as readonly string[]).includes(value);
}

/** The profile an option names; a bad name or value is an error saying what to change. */
export function resolveLatency(option: LatencyOption | undefined, where = 'latency'): LatencyProfile {
  if (option === undefined) return NO_LATENCY;
  if (typeof option === 'string') {
    if (!isLatencyProfileName(option))
      throw new Error(`${where} must be one of ${LATENCY_PROFILE_NAMES.join(', ')}; got '${option}'`);
    return PROFILES[option];
  }
  const known = Object.keys(NO_LATENCY);
  const unknown = Object.keys(option).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new Error(
      `${where} has unknown field(s) ${unknown.join(', ')}; the fields are ${known.join(', ')}`,
    );
  const profile = { ...NO_LATENCY, ...option };
  for (const [name, value] of Object.entries(profile)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS)
      throw new Error(
        `${where}.${name} must be a number of milliseconds from 0 to ${MAX_DELAY_MS}; got ${value}`,
      );
  }
  return profile;
}

export function isNoLatency(profile: LatencyProfile): boolean {
  return Object.values(profile).every((v) => v === 0);
}
