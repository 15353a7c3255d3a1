import { describe, expect, it } from 'vitest';
import { analyzeSql, normaliseStatement, statementFingerprint } from '../../src/ddl';

describe('statement fingerprints, the key of a consent', () => {
  it('is pinned: a change to normalisation must bump the version, not silently move consents', () => {
    expect(statementFingerprint('ALTER TABLE accounts ALTER COLUMN tier SET NOT NULL', 'postgres')).toBe(
      statementFingerprint('alter table accounts alter column tier set not null', 'postgres'),
    );
    expect(normaliseStatement("ALTER TABLE accounts  ADD COLUMN note text DEFAULT 'x';", 'postgres')).toBe(
      "alter table accounts add column note text default 'x'",
    );
    expect(statementFingerprint("ALTER TABLE accounts ADD COLUMN note text DEFAULT 'x'", 'postgres')).toBe(
      'ddl1-9a85031b82f49a2f',
    );
  });

  it('ignores layout, comments and keyword case', () => {
    const base = statementFingerprint('CREATE INDEX accounts_tier_idx ON accounts (tier)', 'postgres');
    for (const variant of [
      'create index accounts_tier_idx on accounts(tier)',
      'CREATE   INDEX\n  accounts_tier_idx\tON accounts ( tier ) ;',
      '-- why: tier lookups\nCREATE INDEX /* hot path */ accounts_tier_idx ON accounts (tier)',
      'CREATE INDEX Accounts_Tier_Idx ON ACCOUNTS (Tier)', // PostgreSQL folds unquoted names itself
    ]) {
      expect(statementFingerprint(variant, 'postgres')).toBe(base);
    }
    const mysql = statementFingerprint('ALTER TABLE accounts ADD COLUMN note TEXT', 'mysql');
    expect(statementFingerprint('alter table accounts add column note text # trailing\n', 'mysql')).toBe(
      mysql,
    );
  });

  it('changes with anything that changes what the statement does', () => {
    const base = statementFingerprint("ALTER TABLE accounts ADD COLUMN note text DEFAULT 'x'", 'postgres');
    const others = [
      "ALTER TABLE accounts ADD COLUMN note text DEFAULT 'X'",
      "ALTER TABLE accounts ADD COLUMN notes text DEFAULT 'x'",
      "ALTER TABLE orders ADD COLUMN note text DEFAULT 'x'",
      "ALTER TABLE accounts ADD COLUMN note varchar DEFAULT 'x'",
      `ALTER TABLE "Accounts" ADD COLUMN note text DEFAULT 'x'`,
    ];
    const prints = others.map((sql) => statementFingerprint(sql, 'postgres'));
    expect(new Set([base, ...prints]).size).toBe(others.length + 1);
    // The same text on the other engine is a different statement.
    expect(statementFingerprint("ALTER TABLE accounts ADD COLUMN note text DEFAULT 'x'", 'mysql')).not.toBe(
      base,
    );
    // MySQL table names are case-sensitive on Linux: consent for one spelling must not cover the other.
    expect(statementFingerprint('ALTER TABLE Orders DROP COLUMN note', 'mysql')).not.toBe(
      statementFingerprint('ALTER TABLE orders DROP COLUMN note', 'mysql'),
    );
  });

  it('is what findings carry, statement by statement', async () => {
    const script = 'CREATE INDEX a_idx ON accounts (tier);\n\nVACUUM   FULL accounts;';
    const findings = await analyzeSql(script, { engine: 'postgres', assumeLockTimeout: true });
    expect(findings.map((f) => f.fingerprint)).toEqual([
      statementFingerprint('CREATE INDEX a_idx ON accounts (tier)', 'postgres'),
      statementFingerprint('vacuum full accounts', 'postgres'),
    ]);
    const again = await analyzeSql(`-- reordered layout\n${script.replace(/\s+/g, ' ')}`, {
      engine: 'postgres',
      assumeLockTimeout: true,
    });
    expect(again.map((f) => f.fingerprint)).toEqual(findings.map((f) => f.fingerprint));
  });
});
