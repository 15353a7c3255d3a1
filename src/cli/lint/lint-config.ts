import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { DdlGuardInputError } from '../../ddl/errors';
import { RULE_LEVELS, ruleLevelIssues, toRuleSettings } from '../../ddl/rule-settings';
import type { AnalyzeOptions } from '../../ddl/types';
import { parseVersion, type ServerVersions } from '../../ddl/versions';

const VERSION = /^\d+(\.\d+){0,2}$/;
const version = (example: string) =>
  z.string().regex(VERSION, `a version like "${example}" (digits and dots)`).optional();

const configSchema = z.strictObject({
  $schema: z.string().optional(),
  rules: z.record(z.string(), z.enum(RULE_LEVELS)).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  pgVersion: version('12'),
  mysqlVersion: version('8.0.29'),
  mariadbVersion: version('10.11'),
});

/** A config file, read and checked: what it changes in the analysis, and which files it leaves out. */
export interface LintConfig {
  readonly file: string;
  readonly analysis: Pick<AnalyzeOptions, 'rules'>;
  /** The releases the repository's migrations are meant for: a version flag wins over these, these over the server's. */
  readonly versions: ServerVersions;
  /** True when the file (a path as given on the command line) matches one of the config's excludes. */
  readonly excludes: (file: string) => boolean;
}

/** `**` any folders, `*` anything but a slash, `?` one character; a pattern without a slash matches the file name. */
export function globMatcher(pattern: string): (path: string) => boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`);
  const nameOnly = !pattern.includes('/');
  return (path) => regex.test(path) || (nameOnly && regex.test(path.slice(path.lastIndexOf('/') + 1)));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(path ? `${path}.${k}` : k)).join(', ')}: the config takes rules, exclude, pgVersion, mysqlVersion and mariadbVersion`;
  }
  if (path.startsWith('rules.') && issue.code === 'invalid_value') {
    return `${JSON.stringify(path)}: use "error", "warning" or "off"`;
  }
  return `${JSON.stringify(path || '(the file)')}: ${issue.message}`;
}

/** Parses and checks a config's text; the error names the file and the bad key. */
export function parseLintConfig(text: string, file: string): LintConfig {
  const bad = (why: string) => new DdlGuardInputError(`${file}: ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw bad(`not valid JSON (${(error as Error).message})`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw bad(parsed.error.issues.map(describeIssue).join('; '));
  const config = parsed.data;
  const [issue] = ruleLevelIssues(config.rules ?? {});
  if (issue) throw bad(`"rules.${issue.id}": ${issue.message}`);
  const root = dirname(file);
  const patterns = (config.exclude ?? []).map(globMatcher);
  return {
    file,
    analysis: config.rules ? { rules: toRuleSettings(config.rules) } : {},
    versions: {
      ...(config.pgVersion ? { postgres: parseVersion(config.pgVersion) } : {}),
      ...(config.mysqlVersion ? { mysql: parseVersion(config.mysqlVersion) } : {}),
      ...(config.mariadbVersion ? { mariadb: parseVersion(config.mariadbVersion) } : {}),
    },
    excludes: (linted) => {
      const path = relative(root, resolve(linted)).split(sep).join('/');
      return !path.startsWith('../') && !isAbsolute(path) && patterns.some((matches) => matches(path));
    },
  };
}

export async function readLintConfig(file: string): Promise<LintConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new DdlGuardInputError(`cannot read the lint config ${file}: ${reason}`);
  }
  return parseLintConfig(text, file);
}
