import { type Database, DbError, type QueryResult, type Row, type SelectionPlan } from './types';

/** The two calls through which a dry run sends SQL, bound to one read-only transaction. */
export interface ReadOnlyConnection {
  query<R = Row>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
  explain(text: string, values?: readonly unknown[]): Promise<SelectionPlan>;
}

/** lowtide's own reads of the server and its catalog: fixed SQL with no author text in it. */
export type CatalogReads = Pick<
  Database,
  | 'serverVersion'
  | 'serverRole'
  | 'columns'
  | 'indexes'
  | 'estimateTableRows'
  | 'activeSessions'
  | 'replicaLag'
>;

function refused(what: string): Promise<never> {
  return Promise.reject(
    new DbError('read-only', `${what} inside a read-only dry run: a dry run changes nothing`, undefined),
  );
}

/**
 * `base` with everything it serves routed through one read-only transaction: the queries and
 * EXPLAINs on `conn`, and the catalog reads on `catalog`, which the adapter runs on that same
 * connection. A dry run then never holds its transaction's pooled connection while it waits for
 * a second one: with a pool of one (or two dry runs sharing a pool of two) it would wait on
 * itself. Only replica probes, which connect to other servers, leave the connection.
 */
export function readOnlyView(base: Database, conn: ReadOnlyConnection, catalog: CatalogReads): Database {
  const view: Database = {
    engine: base.engine,
    dialect: base.dialect,
    query: (text, values) => conn.query(text, values),
    explain: (text, values) => conn.explain(text, values),
    serverVersion: () => catalog.serverVersion(),
    withBatchTransaction: () => refused('a batch transaction'),
    withSession: () => refused('a session'),
    withReadOnlyTransaction: (fn) => fn(view),
    serverRole: () => catalog.serverRole(),
    columns: (table) => catalog.columns(table),
    indexes: (table) => catalog.indexes(table),
    estimateTableRows: (table) => catalog.estimateTableRows(table),
    activeSessions: () => catalog.activeSessions(),
    replicaLag: (replicas) => catalog.replicaLag(replicas),
    // The view borrows base's connections; closing it must not close them.
    close: async () => {},
  };
  return view;
}
