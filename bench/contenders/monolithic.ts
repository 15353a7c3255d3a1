import { profiledUrl } from '../profiled-url';
import { connectSql } from '../sql-client';
import { changeStatement } from '../workload/work-items';
import type { Contender } from './types';

/**
 * The unsafe limit: the whole change as one UPDATE or DELETE in one transaction. Fastest on an
 * idle server, and it holds every row lock it takes until the end.
 */
export const monolithic: Contender = {
  name: 'monolithic',
  description: 'one UPDATE / DELETE over the whole table, one transaction',
  appliesTo: () => true,
  availability: async () => ({ available: true }),
  async run({ engine, database, item, latency }) {
    const target = await profiledUrl(database.url, latency);
    const client = await connectSql(engine, target.url).catch(async (error) => {
      await target.close();
      throw error;
    });
    try {
      const started = performance.now();
      await client.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      const { affected } = await client.query(changeStatement(item, client.dialect));
      await client.query('COMMIT');
      const wallMs = performance.now() - started;
      return {
        rows: affected,
        wallMs,
        longestTxMs: wallMs,
        transactions: 1,
        longestTxSource: 'BEGIN to COMMIT, timed by the bench',
      };
    } finally {
      await client.close();
      await target.close();
    }
  },
};
