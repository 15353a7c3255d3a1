import { ControlStoreUnavailableError } from './errors';

export interface RetryOptions {
  /** Attempts in all, the first included (default 6). */
  readonly maxAttempts?: number;
  /** The first retry waits about this long; each later one doubles it (default 50 ms). */
  readonly baseDelayMs?: number;
  /** No single wait is longer than this (default 2 s). */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1); injectable so tests can pin the jitter. */
  readonly random?: () => number;
  /** Told of each retry, e.g. to log it. */
  readonly onRetry?: (info: { operation: string; attempt: number; delayMs: number; error: unknown }) => void;
}

const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Whether a DynamoDB call may simply be sent again. A failed condition never is: it reports a
 * fact about the item, and the caller must read it back and decide.
 */
export function isTransientDynamoError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConditionalCheckFailedException') return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const details = error as { $metadata?: { httpStatusCode?: number }; code?: unknown; $retryable?: unknown };
  const status = details.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  if (typeof details.code === 'string' && NETWORK_CODES.has(details.code)) return true;
  return details.$retryable !== undefined && details.$retryable !== null && details.$retryable !== false;
}

/** The wait before retry number `retry` (1-based): exponential, capped, with half of it jittered. */
export function backoffDelay(retry: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 50;
  const cap = options.maxDelayMs ?? 2000;
  const ceiling = Math.min(cap, base * 2 ** (retry - 1));
  const random = options.random ?? Math.random;
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs one DynamoDB call, retrying transient failures with capped exponential backoff and jitter.
 * Anything else, a conditional failure first of all, is thrown at once.
 */
export async function withRetry<T>(
  operation: string,
  call: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  const sleep = options.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientDynamoError(error)) throw error;
      if (attempt >= maxAttempts)
        throw new ControlStoreUnavailableError(operation, attempt, { cause: error });
      const delayMs = backoffDelay(attempt, options);
      options.onRetry?.({ operation, attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}
