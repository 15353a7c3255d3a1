import { expect } from 'vitest';

interface IssuesError extends Error {
  readonly issues: readonly { readonly path: string; readonly message: string }[];
}

/**
 * Runs `refuse`, which must throw an `errorClass` (ConfigError, JobSpecError: errors that list every
 * issue they found), and returns those issues as path -> message.
 */
export function refusedIssues(
  refuse: () => unknown,
  errorClass: abstract new (...args: never[]) => IssuesError,
): Record<string, string> {
  try {
    refuse();
  } catch (error) {
    expect(error).toBeInstanceOf(errorClass);
    return Object.fromEntries((error as IssuesError).issues.map((i) => [i.path, i.message]));
  }
  throw new Error(`expected a ${errorClass.name}, but the input was accepted`);
}
