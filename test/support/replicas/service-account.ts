import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The OS identity a database server of the rig runs as; no uid means this process's own. */
export interface ServiceAccount {
  readonly name: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** The rig needs root's service account but the OS has no such user. */
export class ServiceAccountError extends Error {
  override readonly name = 'ServiceAccountError';
}

async function idOf(user: string, flag: '-u' | '-g'): Promise<number> {
  const { stdout } = await run('id', [flag, user]);
  return Number(stdout.trim());
}

/**
 * initdb and mariadbd refuse to run as root, so a root test run hands the servers to the account
 * the distribution's packages made for them (`postgres`, `mysql`); anyone else runs them as
 * themselves, which both servers accept.
 */
export async function serviceAccount(osUser: string): Promise<ServiceAccount> {
  if (process.getuid?.() !== 0) return { name: 'current user' };
  try {
    const [uid, gid] = await Promise.all([idOf(osUser, '-u'), idOf(osUser, '-g')]);
    return { name: osUser, uid, gid };
  } catch {
    throw new ServiceAccountError(
      `the replica rig runs as root, and root may not run the database servers; create the OS user '${osUser}' (the distribution's server package does) or run the tests as an ordinary user`,
    );
  }
}

/** Spawn options that start a process as the account. */
export function asAccount(account: ServiceAccount): { uid?: number; gid?: number } {
  return account.uid === undefined ? {} : { uid: account.uid, gid: account.gid };
}
