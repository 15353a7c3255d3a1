import { hostname, userInfo } from 'node:os';

/** Who is asking, as recorded with pause, abort and approval requests: LOWTIDE_OPERATOR or user@host. */
export function operatorName(env: Readonly<Record<string, string | undefined>>): string {
  if (env.LOWTIDE_OPERATOR) return env.LOWTIDE_OPERATOR;
  let user = env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep $USER
  }
  return `${user}@${hostname()}`;
}
