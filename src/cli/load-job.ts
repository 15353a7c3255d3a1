import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { authorSqlIssues, describeAuthorSqlIssue } from '../job/author-sql-issues';
import { JobSpecError, parseJobSpec } from '../job/define-job';
import { CONTROL_JOB_ID } from '../job/job-id';
import type { JobSpec } from '../job/types';
import { BadInputError, oneLine } from './errors';
import { explainJobImportFailure } from './job-import-errors';

/** A job file loaded by path, with the path as the operator typed it (for messages). */
export interface LoadedJob {
  readonly spec: JobSpec;
  readonly path: string;
}

/** A spec from defineJob carries its table parsed; a hand-written object still has the string. */
function isParsedSpec(value: unknown): value is JobSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' && typeof v.kind === 'string' && typeof v.table === 'object' && v.table !== null
  );
}

/**
 * Imports a job file (TypeScript or JavaScript) and returns its validated spec. Every way this can
 * go wrong is bad input with one line saying what to change: the file is missing, it does not
 * compile, it is not in an ES module project or cannot find lowtide there, it throws JobSpecError,
 * or it exports no job.
 */
export async function loadJobFile(path: string, cwd = process.cwd()): Promise<LoadedJob> {
  const absolute = resolve(cwd, path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) {
    throw new BadInputError(
      `job file '${path}' not found (looked for ${absolute}): pass the path of a job file`,
    );
  }
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(absolute).href);
  } catch (error) {
    if (error instanceof JobSpecError)
      throw new BadInputError(`${path}: ${oneLine(error.message)}`, { cause: error });
    const explained = explainJobImportFailure(error, path, absolute);
    if (explained) throw new BadInputError(explained, { cause: error });
    throw new BadInputError(
      `job file '${path}' could not be loaded: ${oneLine((error as Error).message ?? String(error))}`,
      {
        cause: error,
      },
    );
  }
  const exported = module.default;
  if (exported === undefined) {
    throw new BadInputError(
      `job file '${path}' has no default export: end it with export default defineJob({ ... })`,
    );
  }
  let spec: JobSpec;
  try {
    spec = isParsedSpec(exported) ? exported : parseJobSpec(exported);
  } catch (error) {
    if (error instanceof JobSpecError)
      throw new BadInputError(`${path}: ${oneLine(error.message)}`, { cause: error });
    throw error;
  }
  await refuseUnreadableSql(spec);
  return { spec, path };
}

/**
 * The engine's parser must read every author field as what it claims to be, before any command
 * sends the job's SQL anywhere: `job purge-x: verify.invariant must be one SQL expression: ...`.
 */
async function refuseUnreadableSql(spec: JobSpec): Promise<void> {
  const issues = await authorSqlIssues(spec);
  if (issues.length > 0)
    throw new BadInputError(`job ${spec.id}: ${issues.map(describeAuthorSqlIssue).join('; ')}`);
}

/** Job ids as defineJob accepts them, and their rollbacks'; anything else where a job is expected is a path. */
const JOB_ID = CONTROL_JOB_ID;

/**
 * Commands that act on a job's control state (`status`, `pause`, ...) accept its id or its file.
 * A bare id that is not also an existing file is the id; anything else is loaded as a file.
 */
export async function resolveJobId(reference: string, cwd = process.cwd()): Promise<string> {
  if (JOB_ID.test(reference)) {
    const info = await stat(resolve(cwd, reference)).catch(() => undefined);
    if (!info?.isFile()) return reference;
  }
  if (!/[./\\]/.test(reference)) {
    throw new BadInputError(
      `'${reference}' is neither a job id (lowercase letters, digits and -) nor a job file: pass the job's id or the path of its file`,
    );
  }
  return (await loadJobFile(reference, cwd)).spec.id;
}
