import type { DbError, Row, ServerRole } from '../types';
import { isAccessDenied, REPLICATION_PRIVILEGE_HINT, readReplicaStatus, statusField } from './replica-status';
import { type MysqlRunner, runQuery } from './run-query';
import type { MysqlFlavour } from './server-info';

/** read_only is a boolean on MySQL and MariaDB 10.x, an enum (OFF, ON, NO_LOCK, ...) on MariaDB 11. */
function isOn(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  const v = String(value).toUpperCase();
  return v !== '0' && v !== 'OFF';
}

async function readOnlyFlags(runner: MysqlRunner, flavour: MysqlFlavour): Promise<string[]> {
  // super_read_only exists only on MySQL; asking MariaDB for it is an error.
  const text =
    flavour === 'mysql'
      ? 'SELECT @@global.read_only AS read_only, @@global.super_read_only AS super_read_only, @@global.innodb_read_only AS innodb_read_only'
      : 'SELECT @@global.read_only AS read_only, @@global.innodb_read_only AS innodb_read_only';
  const row = (await runQuery<Row>(runner, text)).rows[0] ?? {};
  return Object.entries(row)
    .filter(([, value]) => isOn(value))
    .map(([name]) => name);
}

export async function mysqlServerRole(runner: MysqlRunner, flavour: MysqlFlavour): Promise<ServerRole> {
  const flags = await readOnlyFlags(runner, flavour);
  let replicaOf: string | undefined;
  let replicaUnknown: string | undefined;
  try {
    const status = await readReplicaStatus(runner);
    if (status) replicaOf = String(statusField(status, 'Source_Host', 'Master_Host') ?? 'another server');
  } catch (err) {
    if (!isAccessDenied(err)) throw err;
    replicaUnknown = `whether it is a replica could not be checked (${(err as DbError).message}); ${REPLICATION_PRIVILEGE_HINT}`;
  }

  const sentences: string[] = [];
  if (replicaOf !== undefined) {
    sentences.push(
      `This server is a replica of ${replicaOf}: run the job against the primary, since writes here would make the replica diverge.`,
    );
  }
  if (flags.includes('innodb_read_only')) {
    sentences.push(
      'innodb_read_only is ON (an Aurora reader or a read-only InnoDB): every write fails; point the job at the writer endpoint.',
    );
  }
  const userFlags = flags.filter((f) => f !== 'innodb_read_only');
  if (userFlags.length > 0) {
    sentences.push(
      `${userFlags.join(' and ')} ${userFlags.length > 1 ? 'are' : 'is'} ON: the server is read-only and refuses writes from ordinary users; point the job at the primary, or turn it off if this is the primary.`,
    );
  }
  if (sentences.length === 0)
    sentences.push('Writable (read_only is OFF) and not replicating from another server.');
  if (replicaUnknown) sentences.push(`But ${replicaUnknown}.`);
  return { readOnly: flags.length > 0, replica: replicaOf !== undefined, detail: sentences.join(' ') };
}
