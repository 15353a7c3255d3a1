import { describe, expect, it } from 'vitest';
import { statementFingerprint } from '../../src/ddl';
import { changeColumnType, type Recipe } from '../../src/recipes';
import type { LocalRuntime, RuntimeEvent } from '../../src/runtime/local/types';
import { CONNECTION, useE2e } from '../e2e/support/harness';
import { createAccounts } from '../support/fixtures';

const job = { database: CONNECTION, owner: 'test', key: 'id', health: { pauseBetweenBatchesMs: 0 } };
const countToBigint = changeColumnType({
  id: 'count-to-bigint',
  table: 'accounts',
  column: 'applied_count',
  newType: 'bigint',
  job,
});
const tierVarchar = changeColumnType({
  id: 'tier-varchar',
  table: 'accounts',
  column: 'tier',
  newType: 'varchar(40)',
  job,
});

/** Consents to every statement of the recipe's gate phase, as an operator would after the switch. */
async function consentToGate(runtime: LocalRuntime, recipe: Recipe) {
  const gate = recipe.phases.find((p) => p.kind === 'ddl' && !p.selfConsented);
  if (gate?.kind !== 'ddl') throw new Error(`recipe ${recipe.id} has no gate phase`);
  for (const statement of gate.statements) {
    await runtime.store.recordDdlConsent(recipe.id, statementFingerprint(statement, 'postgres'), {
      by: 'erin',
    });
  }
}

describe('recipe through the state machine: the consent gate (PostgreSQL change column type)', () => {
  const columns = async (like: string) =>
    e2e.db.raw.query<{ attname: string; type: string }>(
      `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = 'accounts'::regclass AND attname LIKE $1 AND NOT attisdropped ORDER BY attname`,
      [like],
    );

  /** Starts a recipe execution and settles once its ApplyBatch holds at the gate. */
  async function startUntilHeld(recipe: Recipe) {
    let onHeld: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      onHeld = resolve;
    });
    const execution = e2e.rt.runtime.start({ jobId: recipe.id, recipe: true });
    const off = e2e.rt.runtime.onEvent((e: RuntimeEvent) => {
      if (
        e.type === 'task-succeeded' &&
        e.executionName === execution.executionName &&
        e.state === 'ApplyBatch' &&
        e.decision === 'held'
      )
        onHeld();
    });
    const ended = execution.result.then((r) => {
      throw new Error(`execution ended ${r.exit} (${r.cause ?? ''}) before holding at the gate`);
    });
    try {
      await Promise.race([held, ended]);
    } finally {
      off();
    }
    return execution;
  }

  const e2e = useE2e('postgres', [], {
    prepare: (db) => createAccounts(db.raw, 'postgres', 5_000),
    recipes: [{ recipe: countToBigint }, { recipe: tierVarchar }],
    msPerSecond: 5,
  });

  it('holds at the application switch mid-run, then finishes in the same execution once consented', async () => {
    const execution = await startUntilHeld(countToBigint);
    // The earlier phases ran in this execution; the swap has not.
    expect(await columns('applied_count%')).toEqual([
      { attname: 'applied_count', type: 'integer' },
      { attname: 'applied_count_new', type: 'bigint' },
    ]);
    const [mismatch] = await e2e.db.raw.query<{ n: string }>(
      'SELECT count(*) AS n FROM accounts WHERE applied_count_new IS DISTINCT FROM applied_count::bigint',
    );
    expect(Number(mismatch?.n)).toBe(0);

    await consentToGate(e2e.rt.runtime, countToBigint);
    const result = await execution.result;
    expect(result.cause).toBeUndefined();
    expect(result.exit).toBe('Completed');
    expect(await columns('applied_count%')).toEqual([{ attname: 'applied_count', type: 'bigint' }]);
  });

  it('a new execution whose next phase is the gate ends Blocked, naming the consent to give', async () => {
    const execution = await startUntilHeld(tierVarchar);
    const stopped = await e2e.rt.runtime.stop(execution.executionName);
    expect(stopped.status).toBe('ABORTED');

    const blocked = await e2e.rt.runtime.run({ jobId: tierVarchar.id, recipe: true });
    expect(blocked.exit).toBe('Blocked');
    const reasons = (blocked.output?.blocked as { reasons?: string[] } | undefined)?.reasons ?? [];
    expect(reasons.join('\n')).toMatch(/swap-names: .* waits for an operator's consent to fingerprint ddl1-/);
    expect(await columns('tier%')).toEqual([
      { attname: 'tier', type: 'text' },
      { attname: 'tier_new', type: 'character varying(40)' },
    ]);

    await consentToGate(e2e.rt.runtime, tierVarchar);
    const done = await e2e.rt.runtime.run({ jobId: tierVarchar.id, recipe: true });
    expect(done.cause).toBeUndefined();
    expect(done.exit).toBe('Completed');
    expect(await columns('tier%')).toEqual([{ attname: 'tier', type: 'character varying(40)' }]);
  });
});
