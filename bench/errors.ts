/** A bench setting (an environment variable) has a value the bench cannot use. */
export class BenchConfigError extends Error {
  override readonly name = 'BenchConfigError';
}

/** A server the bench needs cannot be reached or refused a setup step. */
export class BenchSetupError extends Error {
  override readonly name = 'BenchSetupError';
}

/**
 * A contender ended without doing its work: the run's numbers would be meaningless, so the bench
 * records the failure for that contender instead of a measurement.
 */
export class ContenderFailedError extends Error {
  override readonly name = 'ContenderFailedError';
}
