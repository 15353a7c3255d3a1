import { type Database, DbError, type QueryResult, type Row, type SelectionPlan } from './types';

/** The two calls through which a dry run sends SQL, bound to one read-only transaction. */
export interface ReadOnlyConnection {
  query<R = Row>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
  explain(text: string, values?: readonly unknown[]): Promise<SelectionPlan>;
}

function refused(what: string): Promise<never> {
  return Promise.reject(
    new DbError('read-only', `${what} inside a read-only dry run: a dry run changes nothing`, undefined),
  );
}

/**
 * `base` with its queries and EXPLAINs routed through a read-only transaction. Catalog reads,
 * estimates and replica probes stay on `base`: they are lowtide's own fixed SQL, with no author
 * text in them, and need no transaction held open while they wait.
 */
export function readOnlyView(base: Database, conn: ReadOnlyConnection): Database {
  const view: Database = {
    engine: base.engine,
    dialect: base.dialect,
    query: (text, values) => conn.query(text, values),
    explain: (text, values) => conn.explain(text, values),
    serverVersion: () => base.serverVersion(),
    withBatchTransaction: () => refused('a batch transaction'),
    withSession: () => refused('a session'),
    withReadOnlyTransaction: (fn) => fn(view),
    serverRole: () => base.serverRole(),
    columns: (table) => base.columns(table),
    indexes: (table) => base.indexes(table),
    estimateTableRows: (table) => base.estimateTableRows(table),
    activeSessions: () => base.activeSessions(),
    replicaLag: (replicas) => base.replicaLag(replicas),
    // The view borrows base's connections; closing it must not close them.
    close: async () => {},
  };
  return view;
}
