import { beforeAll, describe, expect, it } from 'vitest';
import { DbError } from '../../src/db/types';
import { tableChecksum } from '../support/checksum';
import { ENGINES } from '../support/databases';
import { useEngineDatabase } from '../support/engine-database';
import { createAccounts } from '../support/fixtures';

async function rejection(work: Promise<unknown>): Promise<DbError> {
  try {
    await work;
  } catch (err) {
    expect(err).toBeInstanceOf(DbError);
    return err as DbError;
  }
  throw new Error('expected a DbError, but the operation succeeded');
}

describe.each(ENGINES)('withReadOnlyTransaction on %s', (engine) => {
  // One pooled connection: whatever the read-only transaction leaves on it, the next caller meets.
  const t = useEngineDatabase(engine, 1);
  const readOnlyCode = engine === 'postgres' ? '25006' : '1792';
  let before: string;

  beforeAll(async () => {
    await createAccounts(t.raw, engine, 50);
    before = await tableChecksum(t.raw, engine, 'accounts');
  });

  it('refuses writes and DDL, goes on after a failed statement, and rolls back', async () => {
    const seen = await t.db.withReadOnlyTransaction(async (ro) => {
      expect((await rejection(ro.query('UPDATE accounts SET tier = NULL'))).code).toBe(readOnlyCode);
      // MySQL would commit the transaction implicitly before a DDL statement and run it in
      // autocommit; the session's READ ONLY refuses it there too.
      expect((await rejection(ro.query('DROP TABLE accounts'))).code).toBe(readOnlyCode);
      expect((await rejection(ro.query('DELETE FROM accounts'))).code).toBe(readOnlyCode);
      const { rows } = await ro.query<{ n: unknown }>('SELECT count(*) AS n FROM accounts');
      return Number(rows[0]!.n);
    });
    expect(seen).toBe(50);
    expect(await tableChecksum(t.raw, engine, 'accounts')).toBe(before);
  });

  it('plans the change on PostgreSQL (plain EXPLAIN of an UPDATE); MySQL refuses even that', async () => {
    await t.db.withReadOnlyTransaction(async (ro) => {
      const explain = ro.query("EXPLAIN UPDATE accounts SET tier = 'x' WHERE id = 1");
      if (engine === 'postgres') await explain;
      else expect((await rejection(explain)).code).toBe('1792');
      const plan = await ro.explain(
        `SELECT id FROM accounts WHERE id > ${t.db.dialect.placeholder(1)} ORDER BY id LIMIT 10`,
        [0],
      );
      expect(plan.summary).toBeTruthy();
    });
    expect(await tableChecksum(t.raw, engine, 'accounts')).toBe(before);
  });

  it('refuses batch transactions and sessions inside it', async () => {
    await t.db.withReadOnlyTransaction(async (ro) => {
      const batch = ro.withBatchTransaction(
        { lockName: 'x', lockTimeoutMs: 1000, statementTimeoutMs: 1000 },
        (tx) => tx.query('DELETE FROM accounts'),
      );
      expect((await rejection(batch)).kind).toBe('read-only');
      const session = ro.withSession({ lockTimeoutMs: 1000, statementTimeoutMs: 1000 }, (s) =>
        s.query('DELETE FROM accounts'),
      );
      expect((await rejection(session)).kind).toBe('read-only');
    });
    expect(await tableChecksum(t.raw, engine, 'accounts')).toBe(before);
  });

  it('hands the connection back writable, and rolls back when fn throws', async () => {
    await expect(
      t.db.withReadOnlyTransaction(async (ro) => {
        await ro.query('SELECT 1');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    // The pool's only connection served the read-only transaction: it must be read-write again.
    // An UPDATE that changes nothing: still a write, which a read-only session would refuse.
    expect((await t.db.query('UPDATE accounts SET tier = tier')).rowCount).toBe(50);
  });
});
