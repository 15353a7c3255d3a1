import { describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '../../infra/function-catalog';
import { LIMIT_BOUNDS, MAX_STATEMENT_TIMEOUT_MS, MAX_STATEMENTS_PER_BATCH } from '../../src/job/limit-bounds';

describe('limit bounds', () => {
  it('let a whole batch of statements at the longest statement timeout end inside the apply step', () => {
    const worstBatchMs = MAX_STATEMENTS_PER_BATCH * MAX_STATEMENT_TIMEOUT_MS;
    expect(worstBatchMs).toBeLessThan(FUNCTION_SPECS.applyBatch.timeoutSeconds * 1000);
    // Verify re-reads the batch with the same statement timeout, in its own function.
    expect(MAX_STATEMENT_TIMEOUT_MS * 3).toBeLessThan(FUNCTION_SPECS.verifyBatch.timeoutSeconds * 1000);
  });

  it('stay within what both servers accept for a timeout', () => {
    // PostgreSQL lock_timeout / statement_timeout: int milliseconds. MariaDB max_statement_time and
    // MySQL lock_wait_timeout: at most 31,536,000 s. innodb_lock_wait_timeout: at most 1,073,741,824 s.
    expect(LIMIT_BOUNDS.statementTimeoutMs.max).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(LIMIT_BOUNDS.lockTimeoutMs.max / 1000).toBeLessThanOrEqual(31_536_000);
    expect(LIMIT_BOUNDS.lockTimeoutMs.max).toBeLessThanOrEqual(LIMIT_BOUNDS.statementTimeoutMs.max);
  });
});
