import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { LowtideConfig } from '../../config/define-config';
import type { HandlerDeps } from '../deps';
import type { DepsFactory } from './deps';
import { jobMetrics, loggerAdapter, powertoolsLogger, powertoolsMetrics } from './powertools';

type Core<R> = (payload: unknown, deps: HandlerDeps) => Promise<R>;

/**
 * Wraps a handler core as a Lambda handler: production deps (createLambdaDeps for the functions
 * that touch a database, createControlDeps for the others) built on first use and kept for the
 * container; Powertools' middleware puts the Lambda context in every log line and flushes the
 * metrics whether the invocation returns or fails; errors are logged and rethrown with their name
 * intact (Step Functions matches Retry and Catch on it).
 */
export function lambdaHandler<R>(
  name: string,
  core: Core<R>,
  config: LowtideConfig,
  createDeps: DepsFactory,
): (event: unknown, context?: Context) => Promise<R> {
  const logger = powertoolsLogger(name);
  const metrics = powertoolsMetrics(logger);
  let deps: HandlerDeps | undefined;
  const run = async (event: unknown): Promise<R> => {
    try {
      deps ??= createDeps(config, { logger: loggerAdapter(logger), metrics: jobMetrics(metrics) });
      return await core(event, deps);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      logger.error(`${name} failed`, { errorName: err.name, errorMessage: err.message });
      throw err;
    }
  };
  // No early timeout: middy would otherwise answer TimeoutError just before Lambda's own timeout,
  // a name the state machine does not retry on, while the batch is still running.
  const handler = middy<unknown, R>(run, { timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
  return (event, context) => handler(event, context ?? ({} as Context));
}
