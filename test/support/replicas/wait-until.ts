/** A condition of the rig did not come true in time; the message says which and what was seen. */
export class RigTimeoutError extends Error {
  override readonly name = 'RigTimeoutError';
}

/**
 * Polls `probe` until it returns a value that is not undefined, or throws RigTimeoutError naming
 * `what` with the last error or value seen. `probe` errors count as "not yet".
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline)
      throw new RigTimeoutError(`${what}: not within ${timeoutMs} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
