import { randomBytes } from 'node:crypto';

/** Step Functions execution names: at most 80 of these characters. */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * A run id: short (it lands in every generation's execution name), unique enough for one job
 * (milliseconds in base 36 plus randomness), and lowercase so names stay readable.
 */
export function newRunId(now: Date): string {
  return `${now.getTime().toString(36)}${randomBytes(2).toString('hex')}`;
}

/** `<jobId>-<run>-g<N>`: the name of generation N of a run, so the console lists a run's generations together. */
export function generationName(jobId: string, runId: string, generation: number): string {
  const name = `${jobId}-${runId}-g${generation}`;
  if (!EXECUTION_NAME.test(name)) {
    throw new Error(
      `execution name '${name}' is not a valid Step Functions name (at most 80 letters, digits, - or _)`,
    );
  }
  return name;
}

/**
 * The ARN the successor execution will have: the parent's with the name replaced
 * (`arn:aws:states:<region>:<account>:execution:<state machine>:<name>`). Known before the start,
 * so the lease can be handed over before anyone else can take it.
 */
export function siblingExecutionArn(executionArn: string, name: string): string {
  const parts = executionArn.split(':');
  if (parts.length < 8 || parts[5] !== 'execution') {
    throw new Error(`'${executionArn}' is not a Step Functions execution ARN`);
  }
  return [...parts.slice(0, 7), name].join(':');
}
