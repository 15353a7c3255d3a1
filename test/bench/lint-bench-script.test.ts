import { describe, expect, it } from 'vitest';
import { lintBenchScript } from '../../bench/lint/generate-script';
import { lintSql } from '../../src/ddl';

describe('the lint benchmark script', () => {
  it.each([
    ['postgres', 'postgres', undefined],
    ['mysql', 'mysql', 'mysql'],
    ['mariadb', 'mysql', 'mariadb'],
  ] as const)(
    'holds the asked number of %s statements, every one readable, some reported',
    async (bench, engine, server) => {
      const report = await lintSql(lintBenchScript(bench, 400), { engine, ...(server ? { server } : {}) });
      expect(report.statements).toBe(400);
      expect(report.findings.filter((f) => f.rule.endsWith('-unparsed'))).toEqual([]);
      expect(report.findings.length).toBeGreaterThan(0);
    },
  );
});
