import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { JOB_DIMENSION, METRICS_NAMESPACE, SERVICE_NAME } from '../../config/metrics';
import type { RuntimeLogger, RuntimeMetrics } from '../deps';

export function powertoolsLogger(): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME });
}

export function loggerAdapter(logger: Logger): RuntimeLogger {
  return {
    debug: (message, extra) => logger.debug(message, extra ?? {}),
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}

const UNITS = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  Seconds: MetricUnit.Seconds,
} as const;

/**
 * EMF metrics dimensioned by job (and service, which Powertools adds). Each record is flushed at
 * once: a handler's metrics belong to one job, and nothing is lost if the invocation then fails.
 */
export function powertoolsMetrics(): RuntimeMetrics {
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  });
  return {
    record(jobId, data) {
      if (data.length === 0) return;
      metrics.addDimension(JOB_DIMENSION, jobId);
      for (const d of data) metrics.addMetric(d.name, UNITS[d.unit], d.value);
      metrics.publishStoredMetrics();
    },
  };
}
