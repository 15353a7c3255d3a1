import type { TableRef } from '../../sql/identifiers';
import type { CatalogReads } from '../read-only-view';
import type { ReplicaTarget } from '../types';
import { readColumns, readIndexes } from './catalog';
import { toDbError } from './errors';
import { readAttachedStandbys, readReplicas } from './replica-lag';
import type { PgQueryable } from './run-query';
import { countActiveSessions, readServerRole, readServerVersion } from './server-info';
import { estimateRows, type RolledBackScope } from './table-estimate';

/** Every error leaving the adapter is a DbError, whatever part of it failed. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toDbError(err);
  }
}

/**
 * The catalog reads on one PgQueryable: the pool for the Database itself, or the connection of a
 * dry run's read-only transaction for its view. Replica URLs are read over connections of their
 * own, since they are other servers.
 */
export function postgresCatalogReads(
  q: PgQueryable,
  scope: RolledBackScope,
  applicationName: string,
): CatalogReads {
  return {
    serverVersion: () => guarded(() => readServerVersion(q)),
    serverRole: () => guarded(() => readServerRole(q)),
    columns: (table: TableRef) => guarded(() => readColumns(q, table)),
    indexes: (table: TableRef) => guarded(() => readIndexes(q, table)),
    estimateTableRows: (table: TableRef) => guarded(() => estimateRows(q, scope, table)),
    activeSessions: () => guarded(() => countActiveSessions(q)),
    replicaLag: (replicas: readonly ReplicaTarget[]) =>
      guarded(() =>
        replicas.length === 0 ? readAttachedStandbys(q) : readReplicas(replicas, applicationName),
      ),
  };
}
