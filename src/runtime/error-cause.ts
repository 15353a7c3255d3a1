/** A Lambda error's Cause is JSON ({ errorType, errorMessage, trace }); a local one is the message. */
export function causeText(cause: unknown): string {
  if (typeof cause !== 'string') return cause === undefined ? 'no cause given' : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the message itself
  }
  return cause;
}
