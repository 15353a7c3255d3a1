import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../infra/paths';
import { type RehearsalStage, STAGE_ENV } from './stage';

const run = promisify(execFile);

export interface Synthesized {
  /** The cloud assembly (cdk.out) of this stage: templates and asset folders. */
  readonly cdkOut: string;
  /** How long the synth took, or undefined when an earlier one was reused. */
  readonly synthMs?: number;
}

/** What the synthesized template depends on: everything the app and the functions are built from. */
const INPUTS = [
  'infra',
  'functions',
  'src',
  'statemachines',
  'rehearsal/rehearsal.config.ts',
  'rehearsal/template',
];
const INPUT_FILES = ['package-lock.json', 'tsconfig.json', 'cdk.json'];

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

/** A hash of the stage and every input file, by path and content. */
export function synthKey(stage: RehearsalStage, root = REPO_ROOT): string {
  const hash = createHash('sha256').update(JSON.stringify(stage));
  const paths = [
    ...INPUTS.flatMap((input) => {
      const path = join(root, input);
      return statSync(path).isDirectory() ? [...files(path)] : [path];
    }),
    ...INPUT_FILES.map((file) => join(root, file)),
  ].sort();
  for (const path of paths)
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
  return hash.digest('hex').slice(0, 24);
}

// Each run's stage is new, so each run adds an assembly (tens of MB): older ones are removed.
const PRUNE_AFTER_MS = 6 * 3_600_000;

function pruneOlderThan(cache: string, ageMs: number): void {
  const cutoff = Date.now() - ageMs;
  for (const entry of readdirSync(cache)) {
    if (entry.endsWith('.lock')) continue;
    const path = join(cache, entry);
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Synthesizes the app for a stage once, however many test files ask: the assembly is cached under
 * the system's temp directory by synthKey, and a lock directory (atomic mkdir, holding the
 * holder's pid) keeps two processes from synthesizing it at the same time; the second waits for
 * the first's result. A lock whose holder died is taken over.
 */
export async function synthesize(
  stage: RehearsalStage,
  options: { log?: (line: string) => void } = {},
): Promise<Synthesized> {
  const cache = join(tmpdir(), 'lowtide-rehearsal-synth');
  mkdirSync(cache, { recursive: true });
  pruneOlderThan(cache, PRUNE_AFTER_MS);
  const key = synthKey(stage);
  const cdkOut = join(cache, key);
  const lock = `${cdkOut}.lock`;
  for (;;) {
    if (existsSync(join(cdkOut, 'manifest.json'))) return { cdkOut };
    try {
      mkdirSync(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (holder > 0 && !alive(holder)) rmSync(lock, { recursive: true, force: true });
      // Another process is synthesizing this very assembly: wait for its manifest.
      else await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      const building = `${cdkOut}.building-${process.pid}`;
      // The stage as a literal in the config the functions bundle: they know the run's databases.
      const configFile = `${cdkOut}.config.ts`;
      writeFileSync(
        configFile,
        `import { rehearsalConfig } from ${JSON.stringify(join(REPO_ROOT, 'rehearsal/rehearsal.config.ts'))};\n` +
          `export default rehearsalConfig(${JSON.stringify(stage)});\n`,
      );
      rmSync(building, { recursive: true, force: true });
      const started = performance.now();
      options.log?.(`synthesizing the rehearsal app into ${building}`);
      await run(
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'rehearsal/template/synth-app.ts'), building],
        {
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            [STAGE_ENV]: JSON.stringify(stage),
            // The app and the functions take this config instead of lowtide.config.ts.
            LOWTIDE_CONFIG: configFile,
          },
          maxBuffer: 64 * 1024 * 1024,
        },
      ).catch((error: Error & { stderr?: string }) => {
        throw new Error(`synth of the rehearsal app failed: ${error.message}\n${error.stderr ?? ''}`);
      });
      // Published whole or not at all: a reader never sees a half-written assembly.
      renameSync(building, cdkOut);
      return { cdkOut, synthMs: Math.round(performance.now() - started) };
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
