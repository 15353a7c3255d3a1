import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { JOB_DIMENSION, METRICS_NAMESPACE, SERVICE_NAME } from '../../config/metrics';
import type { RuntimeLogger, RuntimeMetrics } from '../deps';

const serviceName = () => process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME;

/** A function's logger: the step it runs is in every line, the Lambda context once middy adds it. */
export function powertoolsLogger(step: string): Logger {
  return new Logger({ serviceName: serviceName(), persistentKeys: { step } });
}

export function loggerAdapter(logger: Logger): RuntimeLogger {
  return {
    debug: (message, extra) => logger.debug(message, extra ?? {}),
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}

/**
 * The EMF metrics a function flushes at the end of each invocation (logMetrics). Its warnings go to
 * the function's logger at debug level: the routine one, "no application metrics to publish", would
 * otherwise be a WARN line in every invocation that records none; the others concern our own metric
 * names, which the tests cover.
 */
export function powertoolsMetrics(logger: Logger): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: serviceName(),
    logger: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.debug(message),
      warn: (message: string) => logger.debug(message),
      error: (message: string) => logger.error(message),
    },
  });
}

const UNITS = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  Seconds: MetricUnit.Seconds,
} as const;

/**
 * Per-job metrics on a Powertools Metrics buffer, dimensioned by job (and service, which Powertools
 * adds). One EMF record carries one job dimension, so another job's metrics first flush the ones
 * stored; the rest are flushed by logMetrics when the invocation returns or fails.
 */
export function jobMetrics(metrics: Metrics): RuntimeMetrics {
  let dimensionedJob: string | undefined;
  return {
    record(jobId, data) {
      if (data.length === 0) return;
      if (metrics.hasStoredMetrics() && jobId !== dimensionedJob) metrics.publishStoredMetrics();
      // A flush clears the dimensions with the metrics: an empty buffer needs the job again.
      if (!metrics.hasStoredMetrics()) {
        metrics.addDimension(JOB_DIMENSION, jobId);
        dimensionedJob = jobId;
      }
      for (const d of data) metrics.addMetric(d.name, UNITS[d.unit], d.value);
    },
  };
}
