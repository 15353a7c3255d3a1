import type { WriteEstimate } from '../engine';
import type { FreeStorage, FreeStorageReader } from '../health/free-storage';
import type { CheckResult, JobSpec } from '../job/types';

export const WRITE_VOLUME_CHECK = 'write-volume';

export interface WriteVolumeOptions {
  /** The free storage of the job's database, where it can be read (RDS on AWS); absent locally. */
  readonly freeStorage?: FreeStorageReader;
  /**
   * Estimate even with nothing to compare with (`lowtide plan` reports the figure). The run's
   * preflight samples only when there is a limit or a free-storage figure.
   */
  readonly always?: boolean;
}

const MIB = 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MIB) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${(bytes / (1024 * MIB)).toFixed(2)} GiB`;
}

function fail(reason: string): CheckResult {
  return { name: WRITE_VOLUME_CHECK, ok: false, severity: 'error', reason };
}

/**
 * Compares the estimated write volume with what there is room for: `limits.maxWriteBytes`, and
 * `limits.maxWriteShare` (default 0.5) of the free storage where it is known. Over either, the
 * preflight blocks with the figures. A free storage that cannot be read is a warning, not a block:
 * the limit the author set, if any, still applies. PostgreSQL and MySQL report no free disk over
 * SQL, so locally only `limits.maxWriteBytes` is compared.
 */
export async function writeVolumeCheck(
  spec: JobSpec,
  rows: number,
  options: WriteVolumeOptions,
  estimate: (rows: number) => Promise<WriteEstimate | 'held'>,
): Promise<{ results: CheckResult[]; estimate?: WriteEstimate }> {
  const { maxWriteBytes, maxWriteShare } = spec.limits;
  if (!options.always && maxWriteBytes === undefined && !options.freeStorage) return { results: [] };
  let free: FreeStorage | undefined;
  try {
    free = options.freeStorage ? await options.freeStorage() : undefined;
  } catch (error) {
    free = { unknown: `free storage could not be read: ${(error as Error).message}` };
  }
  let figures: WriteEstimate | 'held';
  try {
    figures = await estimate(rows);
  } catch (error) {
    return { results: [fail(`the write volume could not be estimated: ${(error as Error).message}`)] };
  }
  if (figures === 'held') {
    // A run inside a batch holds the job's lock: this start will find its lease held anyway.
    const reason = 'not sampled: a run of this job is inside a batch right now';
    return { results: [{ name: WRITE_VOLUME_CHECK, ok: false, severity: 'warning', reason }] };
  }
  const written = `estimated ${formatBytes(figures.bytes)} written (${figures.note})`;
  const results: CheckResult[] = [];
  if (maxWriteBytes !== undefined && figures.bytes > maxWriteBytes) {
    results.push(
      fail(
        `${written}, above limits.maxWriteBytes ${formatBytes(maxWriteBytes)} (${maxWriteBytes} bytes): raise the limit, or narrow the job`,
      ),
    );
  }
  if (free && 'freeBytes' in free) {
    const room = free.freeBytes * maxWriteShare;
    if (figures.bytes > room) {
      results.push(
        fail(
          `${written}, above ${maxWriteShare} of the ${formatBytes(free.freeBytes)} free (${free.source}): free storage, or raise limits.maxWriteShare`,
        ),
      );
    }
  } else if (free && 'unknown' in free) {
    results.push({ name: WRITE_VOLUME_CHECK, ok: false, severity: 'warning', reason: free.unknown });
  }
  if (results.every((r) => r.severity === 'warning')) {
    const against = [
      maxWriteBytes !== undefined ? `limits.maxWriteBytes ${formatBytes(maxWriteBytes)}` : '',
      free && 'freeBytes' in free
        ? `${maxWriteShare} of ${formatBytes(free.freeBytes)} free (${free.source})`
        : '',
    ].filter(Boolean);
    results.unshift({
      name: WRITE_VOLUME_CHECK,
      ok: true,
      severity: 'error',
      reason: `${written}${against.length ? `, within ${against.join(' and ')}` : ''}`,
    });
  }
  return { results, estimate: figures };
}
