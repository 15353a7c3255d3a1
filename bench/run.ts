// `npm run bench`: lowtide against the monolithic statement, the hand-written loop and pt-archiver,
// side by side on the local servers; see docs/benchmarks.md.
import { fileURLToPath } from 'node:url';
import { runBench } from './harness';
import { renderMarkdown } from './report/markdown';
import { updateDocsTable, writeResults } from './report/write-results';
import { benchSettings } from './settings';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));
const DOCS_FILE = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

function log(line: string) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(): Promise<number> {
  const settings = benchSettings(process.env, { resultsDir: RESULTS_DIR });
  log(
    `lowtide bench: ${settings.rows} rows per work item; engines ${settings.engines.join(', ')}; work ${settings.work.join(', ')}`,
  );
  const results = await runBench(settings, { log });
  const markdown = renderMarkdown(results);
  process.stdout.write(`${markdown}\n`);
  const file = writeResults(settings.resultsDir, results);
  log(`results written to ${file}`);
  if (settings.updateDocs) {
    const skipped = updateDocsTable(DOCS_FILE, markdown);
    log(skipped ? `docs table not updated: ${skipped}` : 'docs/benchmarks.md updated with this run');
  } else {
    log(
      "docs/benchmarks.md left alone (only a run at the issue's 1,000,000 rows updates it; LOWTIDE_BENCH_UPDATE_DOCS=1 forces it)",
    );
  }
  const failed = results.results.flatMap((w) =>
    w.contenders.filter((c) => c.status === 'failed').map((c) => `${w.engine} ${w.work} ${c.name}`),
  );
  if (failed.length > 0) {
    log(`contenders that failed: ${failed.join(', ')}`);
    return 1;
  }
  const missed = results.results.flatMap((w) =>
    w.targets.filter((t) => !t.met).map((t) => `${w.engine} ${w.work}: ${t.description}`),
  );
  log(missed.length > 0 ? `targets not met: ${missed.join('; ')}` : 'every target met');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`${error.name}: ${error.message}`);
    process.exit(2);
  },
);
