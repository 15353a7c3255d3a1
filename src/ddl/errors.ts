/** The guard was called with something it cannot work with: a bad engine, format or file. */
export class DdlGuardInputError extends Error {
  override readonly name = 'DdlGuardInputError';
}

/** A job's `ddl` field does not have the shape the guard expects. */
export class DdlSpecError extends Error {
  override readonly name = 'DdlSpecError';
}
