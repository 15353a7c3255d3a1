// A long migration script for the lint benchmark: the usual mix of statements a migration folder
// holds, most of them safe and some that the guard reports, so the reporting path is measured too.

export type LintBenchEngine = 'postgres' | 'mysql' | 'mariadb';

const POSTGRES: readonly ((i: number) => string)[] = [
  () => "SET lock_timeout = '2s'",
  (i) => `ALTER TABLE bench_t${i % 97} ADD COLUMN c${i} integer`,
  (i) => `CREATE INDEX CONCURRENTLY bench_i${i} ON bench_t${i % 97} (c${i})`,
  (i) => `UPDATE bench_t${i % 97} SET c${i} = 1 WHERE id BETWEEN ${i} AND ${i + 100}`,
  (i) => `ALTER TABLE bench_t${i % 97} ADD CONSTRAINT bench_c${i} CHECK (c${i} > 0) NOT VALID`,
  (i) => `ALTER TABLE bench_t${i % 97} ALTER COLUMN c${i} SET NOT NULL`,
  (i) => `INSERT INTO bench_log (id, note) VALUES (${i}, 'step ${i}')`,
  (i) => `CREATE INDEX bench_j${i} ON bench_t${i % 97} (c${i})`,
];

const MYSQL: readonly ((i: number) => string)[] = [
  () => 'SET SESSION lock_wait_timeout = 5',
  (i) => `ALTER TABLE bench_t${i % 97} ADD COLUMN c${i} INT`,
  (i) => `ALTER TABLE bench_t${i % 97} ADD INDEX bench_i${i} (c${i}), ALGORITHM=INPLACE, LOCK=NONE`,
  (i) => `UPDATE bench_t${i % 97} SET c${i} = 1 WHERE id BETWEEN ${i} AND ${i + 100}`,
  (i) => `ALTER TABLE bench_t${i % 97} MODIFY c${i} BIGINT NOT NULL`,
  (i) => `INSERT INTO bench_log (id, note) VALUES (${i}, 'step ${i}')`,
  (i) => `ALTER TABLE bench_t${i % 97} ALTER COLUMN c${i} SET DEFAULT 0`,
  (i) => `RENAME TABLE bench_old${i} TO bench_new${i}`,
];

/** `count` statements, one per line, each ending in a semicolon. */
export function lintBenchScript(engine: LintBenchEngine, count: number): string {
  const shapes = engine === 'postgres' ? POSTGRES : MYSQL;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${shapes[i % shapes.length]!(i)};`);
  return `${lines.join('\n')}\n`;
}
