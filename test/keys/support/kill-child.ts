import { fileURLToPath } from 'node:url';
import {
  type KillOutcome,
  type RunnerEvent,
  runAndKill as runRunnerAndKill,
} from '../../e2e/support/child-runner';

export type { KillOutcome, RunnerEvent };

/** The composite-key job's runner (test/keys/fixtures/kill-runner.ts). */
const KEYS_RUNNER = fileURLToPath(new URL('../fixtures/kill-runner.ts', import.meta.url));

/** test/e2e/support/child-runner.ts's runAndKill, running the composite-key job's runner. */
export function runAndKill(
  config: Record<string, unknown>,
  killWhen: (event: RunnerEvent, events: RunnerEvent[]) => boolean | Promise<boolean>,
): Promise<KillOutcome> {
  return runRunnerAndKill(config, killWhen, KEYS_RUNNER);
}
