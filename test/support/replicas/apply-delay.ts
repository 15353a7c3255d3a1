/** An apply delay in whole seconds, checked before it reaches a replica's SQL text. */
export function wholeSeconds(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
    throw new RangeError(`an apply delay is whole seconds from 0 to 3600; got ${seconds}`);
  }
  return seconds;
}
