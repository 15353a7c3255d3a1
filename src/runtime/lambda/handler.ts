import type { Context } from 'aws-lambda';
import type { LowtideConfig } from '../../config/define-config';
import type { HandlerDeps } from '../deps';
import type { DepsFactory } from './deps';
import { loggerAdapter, powertoolsLogger } from './powertools';

type Core<R> = (payload: unknown, deps: HandlerDeps) => Promise<R>;

let shared: { config: LowtideConfig; deps: HandlerDeps } | undefined;
const logger = powertoolsLogger();

/**
 * Wraps a handler core as a Lambda handler: production deps (createLambdaDeps for the functions
 * that touch a database, createControlDeps for the others) built on first use and kept for the
 * container, the Lambda context in every log line, errors logged and rethrown with their name
 * intact (Step Functions matches Retry and Catch on it).
 */
export function lambdaHandler<R>(
  name: string,
  core: Core<R>,
  config: LowtideConfig,
  createDeps: DepsFactory,
) {
  return async (event: unknown, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    logger.appendKeys({ step: name });
    if (!shared || shared.config !== config)
      shared = { config, deps: createDeps(config, loggerAdapter(logger)) };
    try {
      return await core(event, shared.deps);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      logger.error(`${name} failed`, { errorName: err.name, errorMessage: err.message });
      throw err;
    }
  };
}
