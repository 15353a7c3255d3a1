import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { runNode } from './run-node';

export interface FunctionAssetDir {
  /** The function's name (e.g. `acquireLease`) or logical id: only echoed in the report. */
  readonly name: string;
  /** An asset folder with index.mjs, ideally a copy outside the repository. */
  readonly dir: string;
}

export interface BundleFigures {
  readonly name: string;
  /** Bytes of the JavaScript (`.mjs`, `.js`, `.cjs`), source maps excluded. */
  readonly jsBytes: number;
  /** Bytes of everything else the function ships beside it (libpg-query.wasm), maps excluded. */
  readonly otherBytes: number;
  /** Milliseconds `import()` of index.mjs took in a fresh process: Lambda's init of the module. */
  readonly initMs: number;
  /** Milliseconds from spawn to exit of that process (Node's start, the import, pending init work). */
  readonly processMs: number;
}

const JS = /\.(mjs|cjs|js)$/;

function sizes(dir: string): { jsBytes: number; otherBytes: number } {
  let jsBytes = 0;
  let otherBytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.map')) continue;
    const bytes = statSync(path.join(entry.parentPath, entry.name)).size;
    if (JS.test(entry.name)) jsBytes += bytes;
    else otherBytes += bytes;
  }
  return { jsBytes, otherBytes };
}

/** Imports index.mjs as the Lambda runtime does and prints how long the import took. */
const MEASURE = `
const t0 = performance.now();
const m = await import(new URL('./index.mjs', 'file://' + process.cwd() + '/').href);
const initMs = performance.now() - t0;
if (typeof m.handler !== 'function') throw new Error('index.mjs exports no handler function');
process.stdout.write(JSON.stringify({ initMs }));
`;

async function measure(dir: string): Promise<{ initMs: number; processMs: number }> {
  const started = performance.now();
  // Nothing from this process's environment: only what a bare runtime has.
  const run = await runNode(dir, MEASURE, { LAMBDA_TASK_ROOT: dir, NODE_OPTIONS: '--enable-source-maps' });
  const processMs = performance.now() - started;
  if (run.code !== 0)
    throw new Error(`${dir}: index.mjs failed to load (exit ${run.code}): ${run.stderr.slice(-1500)}`);
  return { initMs: (JSON.parse(run.stdout) as { initMs: number }).initMs, processMs };
}

/**
 * Per function: the JS it ships (without source maps) and how long its module takes to initialize
 * in a fresh Node process. Measured one at a time, so the functions do not slow each other down;
 * `runs` > 1 keeps the fastest of that many processes.
 */
export async function bundleReport(
  assets: readonly FunctionAssetDir[],
  options: { readonly runs?: number } = {},
): Promise<BundleFigures[]> {
  const runs = Math.max(1, Math.floor(options.runs ?? 1));
  const out: BundleFigures[] = [];
  for (const asset of assets) {
    // The fastest of `runs` fresh processes: on a shared machine the others measure the neighbours.
    let best = await measure(asset.dir);
    for (let i = 1; i < runs; i++) {
      const next = await measure(asset.dir);
      if (next.initMs < best.initMs) best = next;
    }
    out.push({ name: asset.name, ...sizes(asset.dir), ...best });
  }
  return out;
}

/** `LowtideFunctionsAcquireLeaseFunction07AFD45B` -> `acquireLease`; other ids stay as they are. */
function functionName(logicalId: string): string {
  const match = /^LowtideFunctions([A-Z]\w*?)Function[0-9A-F]{8}$/.exec(logicalId);
  return match ? `${match[1]![0]!.toLowerCase()}${match[1]!.slice(1)}` : logicalId;
}

/** Each Lambda function's asset folder in a cloud assembly (cdk.out), named as in the function catalog. */
export function assemblyFunctionAssets(outdir: string, stackTemplate: string): FunctionAssetDir[] {
  const template = JSON.parse(readFileSync(path.join(outdir, stackTemplate), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { Code?: { S3Key?: unknown } } }>;
  };
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && typeof r.Properties?.Code?.S3Key === 'string')
    .map(([id, r]) => ({
      name: functionName(id),
      dir: path.join(outdir, `asset.${String(r.Properties!.Code!.S3Key).replace(/\.zip$/, '')}`),
    }));
}

/** The report as an aligned text table. */
export function formatBundleReport(rows: readonly BundleFigures[]): string {
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MB`;
  const width = Math.max(8, ...rows.map((r) => r.name.length));
  const lines = [
    `${'function'.padEnd(width)}  ${'JS'.padStart(9)}  ${'other'.padStart(9)}  ${'init'.padStart(8)}  ${'process'.padStart(8)}`,
  ];
  for (const r of rows) {
    lines.push(
      `${r.name.padEnd(width)}  ${mb(r.jsBytes).padStart(9)}  ${mb(r.otherBytes).padStart(9)}  ${`${r.initMs.toFixed(0)} ms`.padStart(8)}  ${`${r.processMs.toFixed(0)} ms`.padStart(8)}`,
    );
  }
  return lines.join('\n');
}
