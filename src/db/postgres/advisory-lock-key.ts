import { createHash } from 'node:crypto';

/**
 * The 64-bit key `pg_try_advisory_xact_lock` takes for a lock name: the first 8 bytes of the
 * name's SHA-256, read as a signed big-endian integer. Stable across processes and versions (every
 * Lambda and the local runtime must agree), and returned as a decimal string because it does not fit
 * a JavaScript number.
 */
export function advisoryLockKey(lockName: string): string {
  if (lockName === '') throw new RangeError('an advisory lock name must not be empty');
  return createHash('sha256').update(lockName, 'utf8').digest().readBigInt64BE(0).toString();
}
