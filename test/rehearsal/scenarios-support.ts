import type { ProvisionedDatabase } from '../../rehearsal/databases/provision';
import { backfillTargets, createAccounts } from '../support/fixtures';
import { connectRaw, type RawConnection } from '../support/raw-sql';

export { backfillTargets };

/**
 * The rehearsal job's table (test/support's `accounts`) plus a trigger that counts every UPDATE
 * of every row in `account_writes`: a row written twice, by a replayed batch or a second owner,
 * shows there whatever the job's own bookkeeping says.
 */
export async function createCountedAccounts(db: ProvisionedDatabase, rows: number): Promise<RawConnection> {
  const raw = await connectRaw(db);
  await createAccounts(raw, db.engine, rows);
  await raw.query('CREATE TABLE account_writes (id bigint PRIMARY KEY, writes integer NOT NULL)');
  if (db.engine === 'postgres') {
    await raw.query(`CREATE FUNCTION count_account_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO account_writes (id, writes) VALUES (NEW.id, 1)
        ON CONFLICT (id) DO UPDATE SET writes = account_writes.writes + 1;
        RETURN NEW;
      END $$`);
    await raw.query(
      'CREATE TRIGGER accounts_write_counter AFTER UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION count_account_write()',
    );
  } else {
    await raw.query(`CREATE TRIGGER accounts_write_counter AFTER UPDATE ON accounts FOR EACH ROW
      INSERT INTO account_writes (id, writes) VALUES (NEW.id, 1) ON DUPLICATE KEY UPDATE writes = writes + 1`);
  }
  return raw;
}

/** Rows by how often the trigger saw them written: { 1: 160 } when every target changed once. */
export async function writesHistogram(raw: RawConnection): Promise<Record<number, number>> {
  const rows = await raw.query<{ writes: unknown; n: unknown }>(
    'SELECT writes, count(*) AS n FROM account_writes GROUP BY writes ORDER BY writes',
  );
  return Object.fromEntries(rows.map((r) => [Number(r.writes), Number(r.n)]));
}

/** Rows the backfill still has to do. */
export async function remainingRows(raw: RawConnection): Promise<number> {
  const rows = await raw.query<{ n: unknown }>('SELECT count(*) AS n FROM accounts WHERE tier IS NULL');
  return Number(rows[0]!.n);
}

/** Targets that already had a tier ('legacy') but were written anyway. */
export async function legacyWritten(raw: RawConnection): Promise<number> {
  const rows = await raw.query<{ n: unknown }>(
    "SELECT count(*) AS n FROM accounts a JOIN account_writes w ON w.id = a.id WHERE a.tier = 'legacy'",
  );
  return Number(rows[0]!.n);
}

/**
 * Empties the database for the next scenario: the job's own tables are dropped (and recreated by
 * createCountedAccounts); lowtide's tables (lowtide_ledger, lowtide_audit_*) are only emptied,
 * because a warm function remembers that it created them, as it would on Lambda.
 */
export async function resetDatabase(
  raw: RawConnection,
  engine: ProvisionedDatabase['engine'],
): Promise<void> {
  const tables = await raw.query<{ name: string }>(
    engine === 'postgres'
      ? "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
      : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
  );
  for (const { name } of tables) {
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected table name ${name}`);
    const quoted = engine === 'postgres' ? `"${name}"` : `\`${name}\``;
    await raw.query(name.startsWith('lowtide_') ? `DELETE FROM ${quoted}` : `DROP TABLE ${quoted}`);
  }
  if (engine === 'postgres') {
    await raw.query('DROP FUNCTION IF EXISTS count_account_write()');
    await raw.query('DROP FUNCTION IF EXISTS undo_account_write()');
  }
}

/** The first row the backfill will write. */
export async function firstTarget(raw: RawConnection): Promise<number> {
  const rows = await raw.query<{ id: unknown }>('SELECT min(id) AS id FROM accounts WHERE tier IS NULL');
  return Number(rows[0]!.id);
}

/**
 * A trigger that undoes every write of `tier` to row `id` (a concurrent writer the job cannot see);
 * `undefined` drops it.
 */
export async function undoWritesOf(
  raw: RawConnection,
  engine: ProvisionedDatabase['engine'],
  id: number | undefined,
): Promise<void> {
  if (id === undefined) {
    await raw.query(
      engine === 'postgres'
        ? 'DROP TRIGGER accounts_write_undo ON accounts'
        : 'DROP TRIGGER accounts_write_undo',
    );
    return;
  }
  if (!Number.isSafeInteger(id)) throw new Error(`not a row id: ${id}`);
  if (engine === 'postgres') {
    await raw.query(`CREATE FUNCTION undo_account_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = ${id} THEN NEW.tier := NULL; END IF;
        RETURN NEW;
      END $$`);
    await raw.query(
      'CREATE TRIGGER accounts_write_undo BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION undo_account_write()',
    );
  } else {
    await raw.query(`CREATE TRIGGER accounts_write_undo BEFORE UPDATE ON accounts FOR EACH ROW
      SET NEW.tier = IF(NEW.id = ${id}, NULL, NEW.tier)`);
  }
}

/** The recipe's DDL is in the catalog: accounts.rank NOT NULL (PostgreSQL), accounts_ltv_idx (MariaDB). */
export async function recipeApplied(
  raw: RawConnection,
  engine: ProvisionedDatabase['engine'],
): Promise<boolean> {
  if (engine === 'postgres') {
    const column = await raw.query<{ notnull: boolean }>(
      "SELECT attnotnull AS notnull FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'rank' AND NOT attisdropped",
    );
    const wrong = await raw.query<{ n: unknown }>(
      'SELECT count(*) AS n FROM accounts WHERE rank IS DISTINCT FROM (id % 7)::integer',
    );
    const checks = await raw.query(
      "SELECT conname FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'c'",
    );
    return column[0]?.notnull === true && Number(wrong[0]!.n) === 0 && checks.length === 0;
  }
  const index = await raw.query<{ name: string }>(
    "SELECT column_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'accounts' AND index_name = 'accounts_ltv_idx'",
  );
  return index.length === 1 && index[0]!.name === 'lifetime_value';
}
