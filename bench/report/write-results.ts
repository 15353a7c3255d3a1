import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults } from './results';

export const DOCS_START = '<!-- bench:results:start -->';
export const DOCS_END = '<!-- bench:results:end -->';

/** Writes the run as `bench-<time>.json` and as `latest.json`; returns the first path. */
export function writeResults(dir: string, results: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const file = join(dir, `bench-${stamp}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return file;
}

/**
 * Replaces what lies between the results markers of the docs page with this run's tables. The page
 * around them (method, targets, how to reproduce) is left alone. Returns why it did nothing, if so.
 */
export function updateDocsTable(docsFile: string, markdown: string): string | undefined {
  if (!existsSync(docsFile)) return `${docsFile} does not exist`;
  const page = readFileSync(docsFile, 'utf8');
  const start = page.indexOf(DOCS_START);
  const end = page.indexOf(DOCS_END);
  if (start < 0 || end < start) return `${docsFile} has no ${DOCS_START} ... ${DOCS_END} markers`;
  const next = `${page.slice(0, start + DOCS_START.length)}\n${markdown.trim()}\n${page.slice(end)}`;
  writeFileSync(docsFile, next);
  return undefined;
}
