/**
 * Names that both the CDK app and the handlers compute, so neither has to be told the other's
 * choice at run time.
 */

/** The CloudWatch alarm on a connection's replica lag; any job on the connection pauses while it is in ALARM. */
export function replicaLagAlarmName(configName: string, connection: string): string {
  return `${configName}-${connection}-replica-lag`;
}

/** The state machine's name; explicit so its own ARN (for ContinueAsNew) can be built without a cycle. */
export function stateMachineName(configName: string): string {
  return `${configName}-maintenance-job`;
}

/** The fleet state machine's name (jobs on a connection group); explicit so its role can name its own children. */
export function fleetStateMachineName(configName: string): string {
  return `${configName}-fleet-job`;
}

export function dashboardName(configName: string, jobId: string): string {
  return `${configName}-${jobId}`;
}
