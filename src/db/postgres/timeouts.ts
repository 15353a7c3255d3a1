import { DbError } from '../types';

/**
 * PostgreSQL reads a timeout of 0 as "none": a batch or DDL step that may wait forever on a lock is
 * exactly what lowtide exists to prevent, so anything under 1 ms is refused.
 */
export function requirePositiveMs(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new DbError(
      'other',
      `${name} must be a whole number of milliseconds of at least 1 (0 would disable the timeout); got ${value}`,
      undefined,
    );
  }
}
