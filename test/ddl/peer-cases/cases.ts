import type { AnalyzeOptions, ColumnFacts, ConstraintFacts } from '../../../src/ddl';

/**
 * A labelled corpus of migration cases, written for lowtide (not copied) from the operations the
 * peers document: squawk's lock rules (PostgreSQL) and strong_migrations' list of dangerous
 * operations and their safe forms (PostgreSQL, MySQL, MariaDB). `bad` is what the peer flags;
 * `ok` is what it lets through (its recommended safe form). Style rules (prefer-text-field,
 * prefer-bigint, prefer-timestamptz, ...) and non-lock checks (adding a json column, three-column
 * indexes) are out of scope and not here: docs/ddl-guard.md says so.
 */
export interface PeerCase {
  readonly peer: 'squawk' | 'strong_migrations';
  readonly engine: 'postgres' | 'mysql';
  readonly label: 'bad' | 'ok';
  /** The peer's operation, in lowtide's words. */
  readonly operation: string;
  readonly sql: string;
  /** How the file is run: a release, or a migration tool's transaction around it. */
  readonly options?: Pick<AnalyzeOptions, 'versions' | 'assumeInTransaction'>;
  /** Column facts a catalog would give (`table.column`), for the cases the peers judge by the current type. */
  readonly columns?: Readonly<Record<string, ColumnFacts>>;
  /** Constraint facts a catalog would give (`table.constraint`). */
  readonly constraints?: Readonly<Record<string, ConstraintFacts>>;
}

const pg10 = { versions: { postgres: { major: 10, minor: 0, patch: 0 } } };
const wrapped = { assumeInTransaction: true };

const squawk = (
  label: PeerCase['label'],
  operation: string,
  sql: string,
  extra: Partial<PeerCase> = {},
): PeerCase => ({
  peer: 'squawk',
  engine: 'postgres',
  label,
  operation,
  sql,
  ...extra,
});
const strongPg = (
  label: PeerCase['label'],
  operation: string,
  sql: string,
  extra: Partial<PeerCase> = {},
): PeerCase => ({
  peer: 'strong_migrations',
  engine: 'postgres',
  label,
  operation,
  sql,
  ...extra,
});
const strongMy = (
  label: PeerCase['label'],
  operation: string,
  sql: string,
  extra: Partial<PeerCase> = {},
): PeerCase => ({
  peer: 'strong_migrations',
  engine: 'mysql',
  label,
  operation,
  sql,
  ...extra,
});

export const PEER_CASES: readonly PeerCase[] = [
  // squawk, lock rules: flagged
  squawk(
    'bad',
    'adding a field with a volatile default',
    'ALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid();',
  ),
  squawk(
    'bad',
    'adding a field with a volatile default',
    'ALTER TABLE items ADD COLUMN seen timestamptz DEFAULT clock_timestamp();',
  ),
  squawk(
    'bad',
    'adding a field with a volatile default',
    'ALTER TABLE items ADD COLUMN jitter float8 DEFAULT random();',
  ),
  squawk('bad', 'adding a required field', 'ALTER TABLE items ADD COLUMN rank int NOT NULL;'),
  squawk(
    'bad',
    'adding a serial primary key field',
    'ALTER TABLE items ADD COLUMN id bigserial PRIMARY KEY;',
  ),
  squawk('bad', 'adding a serial field', 'ALTER TABLE items ADD COLUMN seq serial;'),
  squawk('bad', 'adding a primary key constraint', 'ALTER TABLE items ADD PRIMARY KEY (id);'),
  squawk(
    'bad',
    'adding a primary key constraint',
    'ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY (id);',
  ),
  squawk(
    'bad',
    'adding a foreign key constraint',
    'ALTER TABLE items ADD CONSTRAINT items_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id);',
  ),
  squawk(
    'bad',
    'adding a foreign key constraint',
    'ALTER TABLE items ADD COLUMN owner_id bigint REFERENCES owners (id);',
  ),
  squawk('bad', 'setting a column not null', 'ALTER TABLE items ALTER COLUMN title SET NOT NULL;'),
  squawk('bad', 'changing a column type', 'ALTER TABLE items ALTER COLUMN qty TYPE bigint;'),
  squawk(
    'bad',
    'changing a column type',
    'ALTER TABLE items ALTER COLUMN qty SET DATA TYPE text USING qty::text;',
  ),
  squawk('bad', 'changing a column type', 'ALTER TABLE items ALTER COLUMN title TYPE varchar(10);'),
  squawk(
    'bad',
    'constraint missing NOT VALID',
    'ALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty > 0);',
  ),
  squawk(
    'bad',
    'constraint missing NOT VALID',
    'ALTER TABLE items ADD COLUMN weight int CHECK (weight > 0);',
  ),
  squawk(
    'bad',
    'disallowed unique constraint',
    'ALTER TABLE items ADD CONSTRAINT items_code_key UNIQUE (code);',
  ),
  squawk('bad', 'disallowed unique constraint', 'ALTER TABLE items ADD COLUMN code text UNIQUE;'),
  squawk('bad', 'requiring concurrent index creation', 'CREATE INDEX items_code_idx ON items (code);'),
  squawk('bad', 'requiring concurrent index creation', 'CREATE UNIQUE INDEX items_code_key ON items (code);'),
  squawk('bad', 'requiring concurrent index deletion', 'DROP INDEX items_code_idx;'),
  squawk(
    'bad',
    'concurrent index creation in a transaction',
    'BEGIN;\nCREATE INDEX CONCURRENTLY items_code_idx ON items (code);\nCOMMIT;',
  ),
  squawk(
    'bad',
    'concurrent index deletion in a transaction',
    'BEGIN;\nDROP INDEX CONCURRENTLY items_code_idx;\nCOMMIT;',
  ),
  squawk(
    'bad',
    'concurrent index creation in an assumed transaction',
    'CREATE INDEX CONCURRENTLY items_code_idx ON items (code);',
    {
      options: wrapped,
    },
  ),
  squawk('bad', 'dropping a table', 'DROP TABLE items;'),
  squawk('bad', 'dropping a database', 'DROP DATABASE shop;'),
  squawk('bad', 'dropping a column', 'ALTER TABLE items DROP COLUMN legacy;'),
  squawk('bad', 'renaming a column', 'ALTER TABLE items RENAME COLUMN title TO name;'),
  squawk('bad', 'renaming a table', 'ALTER TABLE items RENAME TO products;'),
  squawk('bad', 'truncating with cascade', 'TRUNCATE items CASCADE;'),
  squawk(
    'bad',
    'altering a domain to add a constraint',
    'ALTER DOMAIN positive_int ADD CONSTRAINT positive_int_check CHECK (VALUE > 0);',
  ),
  squawk(
    'bad',
    'adding an exclusion constraint',
    'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&);',
  ),
  squawk('bad', 'reindexing without CONCURRENTLY', 'REINDEX TABLE items;'),
  squawk(
    'bad',
    'reindexing with CONCURRENTLY switched off',
    'REINDEX (CONCURRENTLY false) INDEX items_code_idx;',
  ),
  squawk('bad', 'VACUUM FULL', 'VACUUM FULL items;'),
  squawk('bad', 'CLUSTER', 'CLUSTER items USING items_code_idx;'),
  squawk(
    'bad',
    'detaching a partition without CONCURRENTLY',
    'ALTER TABLE events DETACH PARTITION events_2024;',
  ),
  squawk(
    'bad',
    'detaching a partition concurrently inside a transaction',
    'BEGIN;\nALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;\nCOMMIT;',
  ),
  squawk('bad', 'renaming an enum value', "ALTER TYPE item_state RENAME VALUE 'old' TO 'retired';"),
  squawk(
    'bad',
    'validating in the transaction that added NOT VALID',
    'BEGIN;\nALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;\nALTER TABLE items VALIDATE CONSTRAINT qty_positive;\nCOMMIT;',
  ),
  squawk(
    'bad',
    'validating a foreign key in the transaction that added it',
    'BEGIN;\nALTER TABLE items ADD CONSTRAINT items_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id) NOT VALID;\nALTER TABLE items VALIDATE CONSTRAINT items_owner_fk;\nCOMMIT;',
  ),
  squawk(
    'bad',
    'adding a stored generated column',
    'ALTER TABLE items ADD COLUMN total int GENERATED ALWAYS AS (qty * price) STORED;',
  ),
  squawk(
    'bad',
    'adding an identity column',
    'ALTER TABLE items ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;',
  ),

  // squawk, lock rules: passed
  squawk('ok', 'adding a nullable field', 'ALTER TABLE items ADD COLUMN note text;'),
  squawk(
    'ok',
    'adding a field with a constant default',
    'ALTER TABLE items ADD COLUMN qty_min int DEFAULT 10;',
  ),
  squawk(
    'ok',
    'adding a field with a stable default',
    'ALTER TABLE items ADD COLUMN added timestamptz DEFAULT now();',
  ),
  squawk(
    'ok',
    'adding a required field with a default',
    'ALTER TABLE items ADD COLUMN hidden boolean NOT NULL DEFAULT false;',
  ),
  squawk(
    'ok',
    'adding a foreign key NOT VALID',
    'ALTER TABLE items ADD CONSTRAINT items_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id) NOT VALID;',
  ),
  squawk('ok', 'validating a constraint on its own', 'ALTER TABLE items VALIDATE CONSTRAINT items_owner_fk;'),
  squawk(
    'ok',
    'adding a check NOT VALID',
    'ALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;',
  ),
  squawk('ok', 'creating an index concurrently', 'CREATE INDEX CONCURRENTLY items_code_idx ON items (code);'),
  squawk(
    'ok',
    'creating an index concurrently if missing',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS items_code_idx ON items (code);',
  ),
  squawk('ok', 'dropping an index concurrently', 'DROP INDEX CONCURRENTLY items_code_idx;'),
  squawk(
    'ok',
    'unique constraint using an index built concurrently',
    'CREATE UNIQUE INDEX CONCURRENTLY items_code_key ON items (code);\nALTER TABLE items ADD CONSTRAINT items_code_key UNIQUE USING INDEX items_code_key;',
  ),
  squawk(
    'ok',
    'primary key using an existing index',
    'ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY USING INDEX items_id_key;',
  ),
  squawk('ok', 'setting a default', 'ALTER TABLE items ALTER COLUMN qty SET DEFAULT 0;'),
  squawk('ok', 'dropping a default', 'ALTER TABLE items ALTER COLUMN qty DROP DEFAULT;'),
  squawk(
    'ok',
    'indexing a table created in the same file',
    'CREATE TABLE tags (id bigint PRIMARY KEY, label text);\nCREATE INDEX tags_label_idx ON tags (label);',
  ),
  squawk(
    'ok',
    'a foreign key on a new table',
    'CREATE TABLE item_tags (item_id bigint REFERENCES items (id), tag_id bigint);',
  ),
  squawk(
    'ok',
    'the NOT NULL hoist, step by step outside a transaction',
    'ALTER TABLE items ADD CONSTRAINT title_not_null CHECK (title IS NOT NULL) NOT VALID;\nALTER TABLE items VALIDATE CONSTRAINT title_not_null;\nALTER TABLE items ALTER COLUMN title SET NOT NULL;\nALTER TABLE items DROP CONSTRAINT title_not_null;',
  ),
  squawk('ok', 'reindexing concurrently', 'REINDEX INDEX CONCURRENTLY items_code_idx;'),
  squawk('ok', 'VACUUM with FULL switched off', 'VACUUM (FULL FALSE) items;'),
  squawk('ok', 'VACUUM ANALYZE', 'VACUUM (ANALYZE) items;'),
  squawk('ok', 'ANALYZE', 'ANALYZE items;'),
  squawk(
    'ok',
    'detaching a partition concurrently',
    'ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;',
  ),
  squawk('ok', 'storage parameters', 'ALTER TABLE items SET (fillfactor = 80);'),
  squawk('ok', 'column statistics target', 'ALTER TABLE items ALTER COLUMN code SET STATISTICS 500;'),
  squawk(
    'ok',
    'a domain constraint NOT VALID',
    'ALTER DOMAIN positive_int ADD CONSTRAINT positive_int_check CHECK (VALUE > 0) NOT VALID;',
  ),
  squawk(
    'ok',
    'validating a domain constraint',
    'ALTER DOMAIN positive_int VALIDATE CONSTRAINT positive_int_check;',
  ),
  squawk('ok', 'adding an enum value', "ALTER TYPE item_state ADD VALUE 'archived';"),
  squawk('ok', 'a comment', "COMMENT ON COLUMN items.code IS 'the shelf code';"),
  squawk(
    'ok',
    'a lock timeout, then an instant change',
    "SET lock_timeout = '2s';\nALTER TABLE items ADD COLUMN memo text;",
  ),
  squawk('ok', 'a view', 'CREATE VIEW item_codes AS SELECT id, code FROM items;'),
  squawk(
    'ok',
    'a concurrent index with the transaction opted out',
    '-- lowtide: no-transaction\nCREATE INDEX CONCURRENTLY items_code_idx ON items (code);',
    {
      options: wrapped,
    },
  ),

  // strong_migrations, PostgreSQL: flagged
  strongPg('bad', 'removing a column', 'ALTER TABLE users DROP COLUMN nickname;'),
  strongPg('bad', 'changing the type of a column', 'ALTER TABLE users ALTER COLUMN age TYPE bigint;'),
  strongPg('bad', 'renaming a column', 'ALTER TABLE users RENAME COLUMN nickname TO handle;'),
  strongPg('bad', 'renaming a table', 'ALTER TABLE users RENAME TO customers;'),
  strongPg(
    'bad',
    'creating a table with the force option',
    'DROP TABLE IF EXISTS users;\nCREATE TABLE users (id bigint PRIMARY KEY, email text);',
  ),
  strongPg('bad', 'adding an auto-incrementing column', 'ALTER TABLE users ADD COLUMN seq bigserial;'),
  strongPg(
    'bad',
    'adding a stored generated column',
    "ALTER TABLE users ADD COLUMN full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED;",
  ),
  strongPg(
    'bad',
    'adding a check constraint',
    'ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0);',
  ),
  strongPg('bad', 'backfilling data', 'UPDATE users SET active = true;'),
  strongPg('bad', 'adding an index non-concurrently', 'CREATE INDEX users_email_idx ON users (email);'),
  strongPg(
    'bad',
    'adding a reference',
    'ALTER TABLE orders ADD COLUMN user_id bigint;\nCREATE INDEX orders_user_id_idx ON orders (user_id);',
  ),
  strongPg(
    'bad',
    'adding a foreign key',
    'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  ),
  strongPg(
    'bad',
    'adding a unique constraint',
    'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
  ),
  strongPg(
    'bad',
    'adding an exclusion constraint',
    'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
  ),
  strongPg(
    'bad',
    'setting NOT NULL on an existing column',
    'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  ),
  strongPg(
    'bad',
    'adding a column with a volatile default',
    'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
  ),
  strongPg(
    'bad',
    'adding a column with a default value (PostgreSQL before 11)',
    'ALTER TABLE users ADD COLUMN active boolean DEFAULT true;',
    {
      options: pg10,
    },
  ),
  strongPg(
    'bad',
    'adding an index concurrently inside the migration transaction',
    'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    {
      options: wrapped,
    },
  ),
  strongPg(
    'bad',
    'validating a check in the migration that added it',
    'ALTER TABLE users ADD CONSTRAINT users_email_null CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_null;',
    {
      options: wrapped,
    },
  ),
  strongPg(
    'bad',
    'validating a foreign key in the migration that added it',
    'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
    {
      options: wrapped,
    },
  ),

  // strong_migrations, PostgreSQL: the safe forms
  strongPg('ok', 'adding a column', 'ALTER TABLE users ADD COLUMN nickname text;'),
  strongPg(
    'ok',
    'adding a column with a default value (PostgreSQL 11+)',
    'ALTER TABLE users ADD COLUMN active boolean DEFAULT true;',
  ),
  strongPg(
    'ok',
    'adding a column with a stable default',
    'ALTER TABLE users ADD COLUMN joined timestamptz DEFAULT now();',
  ),
  strongPg('ok', 'changing varchar to text', 'ALTER TABLE users ALTER COLUMN name TYPE text;', {
    columns: { 'users.name': { type: 'character varying(100)', nullable: true } },
  }),
  strongPg('ok', 'increasing a varchar limit', 'ALTER TABLE users ALTER COLUMN name TYPE varchar(200);', {
    columns: { 'users.name': { type: 'character varying(100)', nullable: true } },
  }),
  strongPg(
    'ok',
    'increasing numeric precision',
    'ALTER TABLE users ALTER COLUMN balance TYPE numeric(12,2);',
    {
      columns: { 'users.balance': { type: 'numeric(10,2)', nullable: true } },
    },
  ),
  strongPg(
    'ok',
    'adding an index concurrently',
    'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
  ),
  strongPg(
    'ok',
    'adding an index concurrently, transaction disabled',
    '-- lowtide: no-transaction\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    {
      options: wrapped,
    },
  ),
  strongPg(
    'ok',
    'adding a foreign key without validating',
    'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
  ),
  strongPg(
    'ok',
    'validating a foreign key in its own migration',
    'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
    { options: wrapped },
  ),
  strongPg(
    'ok',
    'adding a check constraint without validating',
    'ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;',
  ),
  strongPg(
    'ok',
    'validating a check constraint in its own migration',
    'ALTER TABLE users VALIDATE CONSTRAINT age_positive;',
    { options: wrapped },
  ),
  strongPg(
    'ok',
    'a unique index built concurrently',
    'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);',
  ),
  strongPg(
    'ok',
    'a unique constraint using that index',
    'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
  ),
  strongPg(
    'ok',
    'the NOT NULL hoist, first migration',
    'ALTER TABLE users ADD CONSTRAINT users_email_null CHECK (email IS NOT NULL) NOT VALID;',
    {
      options: wrapped,
    },
  ),
  strongPg(
    'ok',
    'the NOT NULL hoist, second migration (catalog known)',
    'ALTER TABLE users VALIDATE CONSTRAINT users_email_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_null;',
    {
      constraints: { 'users.users_email_null': { validated: false, notNullColumn: 'email' } },
    },
  ),
  strongPg('ok', 'setting a default', 'ALTER TABLE users ALTER COLUMN active SET DEFAULT false;'),
  strongPg(
    'ok',
    'creating a table',
    'CREATE TABLE profiles (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, user_id bigint NOT NULL);',
  ),
  strongPg('ok', 'removing a check constraint', 'ALTER TABLE users DROP CONSTRAINT age_positive;'),
  strongPg('ok', 'removing an index concurrently', 'DROP INDEX CONCURRENTLY users_email_idx;'),
  strongPg('ok', 'dropping NOT NULL', 'ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;'),
  strongPg('ok', 'backfilling one batch', 'UPDATE users SET active = true WHERE id BETWEEN 1 AND 1000;'),
  strongPg('ok', 'adding a jsonb column', 'ALTER TABLE users ADD COLUMN settings jsonb;'),
  strongPg('ok', 'copying a table definition', 'CREATE TABLE users_archive (LIKE users INCLUDING ALL);'),

  // strong_migrations, MySQL and MariaDB: flagged
  strongMy('bad', 'removing a column', 'ALTER TABLE users DROP COLUMN nickname;'),
  strongMy('bad', 'changing the type of a column', 'ALTER TABLE users MODIFY age bigint;'),
  strongMy('bad', 'changing the type of a column', 'ALTER TABLE users MODIFY age int;', {
    columns: { 'users.age': { type: 'varchar(10)', nullable: true, bytesPerChar: 4 } },
  }),
  strongMy('bad', 'renaming a column', 'ALTER TABLE users RENAME COLUMN nickname TO handle;'),
  strongMy('bad', 'renaming a column with CHANGE', 'ALTER TABLE users CHANGE nickname handle varchar(50);'),
  strongMy('bad', 'renaming a table', 'RENAME TABLE users TO customers;'),
  strongMy(
    'bad',
    'creating a table with the force option',
    'DROP TABLE IF EXISTS users;\nCREATE TABLE users (id bigint PRIMARY KEY, email varchar(255));',
  ),
  strongMy(
    'bad',
    'adding an auto-incrementing column',
    'ALTER TABLE users ADD COLUMN seq int NOT NULL AUTO_INCREMENT, ADD UNIQUE KEY users_seq (seq);',
  ),
  strongMy(
    'bad',
    'adding a stored generated column',
    "ALTER TABLE users ADD COLUMN full_name varchar(200) AS (CONCAT(first_name, ' ', last_name)) STORED;",
  ),
  strongMy(
    'bad',
    'adding a check constraint',
    'ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0);',
  ),
  strongMy('bad', 'backfilling data', 'UPDATE users SET active = 1;'),
  strongMy('bad', 'converting the character set', 'ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;'),
  strongMy(
    'bad',
    'adding a foreign key with checks on',
    'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  ),

  // strong_migrations, MySQL and MariaDB: the safe forms
  strongMy('ok', 'adding a column', 'ALTER TABLE users ADD COLUMN nickname varchar(50);'),
  strongMy(
    'ok',
    'adding a column with a default value',
    'ALTER TABLE users ADD COLUMN active tinyint NOT NULL DEFAULT 1;',
  ),
  strongMy(
    'ok',
    'adding a timestamp column',
    'ALTER TABLE users ADD COLUMN created_at datetime DEFAULT CURRENT_TIMESTAMP;',
  ),
  strongMy('ok', 'adding a column in the middle', 'ALTER TABLE users ADD COLUMN bio text AFTER nickname;'),
  strongMy('ok', 'adding an index', 'ALTER TABLE users ADD INDEX users_email_idx (email);'),
  strongMy('ok', 'creating an index', 'CREATE INDEX users_name_idx ON users (name);'),
  strongMy('ok', 'setting a default', 'ALTER TABLE users ALTER COLUMN active SET DEFAULT 0;'),
  strongMy('ok', 'increasing a varchar limit', 'ALTER TABLE users MODIFY name varchar(200);', {
    columns: { 'users.name': { type: 'varchar(100)', nullable: true, bytesPerChar: 4 } },
  }),
  strongMy('ok', 'removing an index', 'ALTER TABLE users DROP INDEX users_email_idx;'),
  strongMy(
    'ok',
    'adding a foreign key with checks off',
    'SET foreign_key_checks = 0;\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  ),
  strongMy('ok', 'adding a json column', 'ALTER TABLE users ADD COLUMN settings json;'),
  strongMy('ok', 'creating a table', 'CREATE TABLE audits (id bigint PRIMARY KEY, body text);'),
  strongMy('ok', 'backfilling one batch', 'UPDATE users SET active = 1 WHERE id BETWEEN 1 AND 1000;'),
  strongMy(
    'ok',
    'renaming an index',
    'ALTER TABLE users RENAME INDEX users_name_idx TO users_full_name_idx;',
  ),
];
