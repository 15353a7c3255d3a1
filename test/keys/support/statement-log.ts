import type { Database, Tx } from '../../../src/db/types';

export interface LoggedStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * The same database, logging every statement lowtide sends, inside batch transactions and out,
 * with its bind values: so a test can EXPLAIN exactly what a batch ran.
 */
export function logStatements(db: Database): { db: Database; statements: LoggedStatement[] } {
  const statements: LoggedStatement[] = [];
  const logged = (tx: Tx): Tx => ({
    dialect: tx.dialect,
    connectionId: tx.connectionId,
    query: (text, values) => {
      statements.push({ text, values: values ?? [] });
      return tx.query(text, values);
    },
  });
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === 'withBatchTransaction') {
        const wrapped: Database['withBatchTransaction'] = (options, fn) =>
          target.withBatchTransaction(options, (tx) => fn(logged(tx)));
        return wrapped;
      }
      if (prop === 'query') {
        const wrapped: Database['query'] = (text, values) => {
          statements.push({ text, values: values ?? [] });
          return target.query(text, values);
        };
        return wrapped;
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: proxy, statements };
}
