/** How one member's iteration ended: its value, or the error it threw (which stops no other member). */
export type MemberSettled<T> =
  | { readonly member: string; readonly ok: true; readonly value: T }
  | { readonly member: string; readonly ok: false; readonly error: Error };

export interface MapMembersOptions {
  /** At most this many members run at once (Step Functions' MaxConcurrency). At least 1. */
  readonly concurrency: number;
  /** Called as a member's iteration starts and ends, in the order they happen. */
  readonly onStart?: (member: string) => void;
  readonly onEnd?: (settled: MemberSettled<unknown>) => void;
}

/**
 * The local stand-in for the fleet state machine's Map state: runs `iterate` once for each member,
 * in the listed order, never more than `concurrency` at a time, and waits for every one. An
 * iteration that throws is that member's failure only; the rest go on, as a Map with a
 * ToleratedFailurePercentage lets them ("Map state in Distributed mode", AWS Step Functions
 * Developer Guide). Results come back in the members' order.
 */
export async function mapMembers<T>(
  members: readonly string[],
  iterate: (member: string) => Promise<T>,
  options: MapMembersOptions,
): Promise<MemberSettled<T>[]> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1; got ${options.concurrency}`);
  }
  const results: MemberSettled<T>[] = new Array(members.length);
  let next = 0;
  const worker = async () => {
    while (next < members.length) {
      const index = next++;
      const member = members[index]!;
      options.onStart?.(member);
      let settled: MemberSettled<T>;
      try {
        settled = { member, ok: true, value: await iterate(member) };
      } catch (error) {
        settled = { member, ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      }
      results[index] = settled;
      options.onEnd?.(settled);
    }
  };
  const workers = Math.min(options.concurrency, members.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
