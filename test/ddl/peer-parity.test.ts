import { describe, expect, it } from 'vitest';
import { type CorpusEngine, measure } from './peer-cases/measure';

const ENGINES: readonly CorpusEngine[] = ['postgres', 'mysql', 'mariadb'];

describe("the peers' labelled cases (squawk's lock rules, strong_migrations' operations)", () => {
  it.each(ENGINES)(
    '%s: at least 95 percent of the bad cases are blocked and of the ok cases pass',
    async (engine) => {
      const tally = await measure(engine);
      expect(tally.bad).toBeGreaterThanOrEqual(engine === 'postgres' ? 60 : 13);
      const summary = `${engine}: bad ${tally.caught}/${tally.bad}, ok ${tally.passed}/${tally.ok}; misses: ${tally.misses.join(' | ') || 'none'}`;
      expect(tally.caught / tally.bad, summary).toBeGreaterThanOrEqual(0.95);
      expect(tally.passed / tally.ok, summary).toBeGreaterThanOrEqual(0.95);
    },
  );
});
