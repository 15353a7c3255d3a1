import { ContenderFailedError } from '../errors';
import { profiledUrl } from '../profiled-url';
import { connectSql } from '../sql-client';
import { changeStatement } from '../workload/work-items';
import type { Contender } from './types';

/** The batch size people pick for such a script. */
export const HAND_LOOP_BATCH = 1000;

/**
 * The script people write by hand: walk the key in fixed batches of 1,000 (keyset, never OFFSET),
 * change the batch's key range, commit, repeat. No pacing, no lock timeout, no ledger.
 */
export const handLoop: Contender = {
  name: 'hand-loop',
  description: `keyset loop, fixed batch of ${HAND_LOOP_BATCH}, one commit per batch`,
  appliesTo: () => true,
  availability: async () => ({ available: true }),
  async run({ engine, database, item, settings, latency }) {
    // Under the AWS profile its round trips pay the same network delay as lowtide's.
    const target = await profiledUrl(database.url, latency);
    const client = await connectSql(engine, target.url).catch(async (error) => {
      await target.close();
      throw error;
    });
    const d = client.dialect;
    const p = (n: number) => d.placeholder(n);
    const key = d.quoteIdent(item.key);
    const table = d.quoteIdent(item.table);
    // The batch's upper key: the 1,000th matching key after the last one (or the last there is).
    const nextEdge = `SELECT MAX(k) AS edge, COUNT(*) AS n FROM (
        SELECT ${key} AS k FROM ${table} WHERE ${key} > ${p(1)} AND (${item.where})
        ORDER BY ${key} LIMIT ${HAND_LOOP_BATCH}) AS batch`;
    const change = changeStatement(item, d, `${key} > ${p(1)} AND ${key} <= ${p(2)}`);
    const deadline = performance.now() + settings.contenderTimeoutSeconds * 1000;
    try {
      // Ids in the bench tables stay far below 2^53, so plain numbers bind exactly on both drivers.
      let last = 0;
      let rows = 0;
      let transactions = 0;
      let longestTxMs = 0;
      const started = performance.now();
      for (;;) {
        if (performance.now() > deadline) {
          throw new ContenderFailedError(
            `the hand-written loop did not finish within ${settings.contenderTimeoutSeconds} s (LOWTIDE_BENCH_TIMEOUT_SECONDS)`,
          );
        }
        const txStart = performance.now();
        await client.query(engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
        const { rows: found } = await client.query<{ edge: unknown; n: unknown }>(nextEdge, [last]);
        const edge = found[0]?.edge;
        if (edge === null || edge === undefined || Number(found[0]?.n) === 0) {
          await client.query('COMMIT');
          break;
        }
        const { affected } = await client.query(change, [last, Number(edge)]);
        await client.query('COMMIT');
        longestTxMs = Math.max(longestTxMs, performance.now() - txStart);
        transactions++;
        rows += affected;
        last = Number(edge);
      }
      return {
        rows,
        wallMs: performance.now() - started,
        longestTxMs,
        transactions,
        longestTxSource: 'BEGIN to COMMIT of each batch, timed by the bench',
      };
    } finally {
      await client.close();
      await target.close();
    }
  },
};
