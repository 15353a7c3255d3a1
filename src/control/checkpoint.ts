import { InvalidControlInputError } from './errors';
import { compact, MAX_TEXT } from './job-item';
import type { Checkpoint } from './types';

/** The sizer needs a handful of recent samples; keeping more would only grow the job item. */
export const MAX_SIZER_SAMPLES = 100;

/** Checks a checkpoint before it is stored and keeps it small. */
export function encodeCheckpoint(jobId: string, checkpoint: Checkpoint): Checkpoint {
  const problem = checkpointProblem(checkpoint);
  if (problem) throw new InvalidControlInputError(`job '${jobId}': checkpoint refused: ${problem}`);
  return compact({
    lastKey: checkpoint.lastKey,
    batchNo: checkpoint.batchNo,
    rowsDone: checkpoint.rowsDone,
    rowsScanned: checkpoint.rowsScanned,
    sizer: {
      size: checkpoint.sizer.size,
      recentMsPerRow: checkpoint.sizer.recentMsPerRow.slice(-MAX_SIZER_SAMPLES),
    },
    at: checkpoint.at,
  });
}

function checkpointProblem(c: Checkpoint): string | undefined {
  if (c.lastKey !== null && typeof c.lastKey !== 'string') return 'lastKey must be a string or null';
  if (typeof c.lastKey === 'string' && c.lastKey.length > MAX_TEXT)
    return `lastKey is longer than ${MAX_TEXT} characters`;
  for (const field of ['batchNo', 'rowsDone', 'rowsScanned'] as const) {
    if (!Number.isSafeInteger(c[field]) || c[field] < 0)
      return `${field} must be a non-negative integer, not ${c[field]}`;
  }
  if (!c.sizer || !Number.isSafeInteger(c.sizer.size) || c.sizer.size < 1)
    return 'sizer.size must be a positive integer';
  if (!Array.isArray(c.sizer.recentMsPerRow) || !c.sizer.recentMsPerRow.every(Number.isFinite)) {
    return 'sizer.recentMsPerRow must be a list of finite numbers';
  }
  if (typeof c.at !== 'string' || Number.isNaN(Date.parse(c.at))) return 'at must be an ISO time';
  return undefined;
}
