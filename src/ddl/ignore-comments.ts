import type { Engine } from '../db/types';
import { tokenize, UnterminatedTokenError } from '../sql/lexer';
import { lineIndex } from './split-statements';

/**
 * An ignore comment in the SQL:
 *   `-- lowtide-ignore: <rule-id>[, <rule-id>...] -- <reason>` on its own line(s) just before a statement;
 *   `-- lowtide-ignore-file: <rule-id>[, ...] -- <reason>` anywhere: every statement of that file (source).
 * A reason is required, so the next reader knows why the lock is acceptable here.
 */
export interface IgnoreDirective {
  readonly scope: 'statement' | 'file';
  readonly rules: readonly string[];
  readonly reason: string;
  /** 1-based lines of the comment's first and last character. */
  readonly line: number;
  readonly endLine: number;
  /** The comment as written. */
  readonly text: string;
  /** Why the comment cannot be honoured, in words that say what to write instead. Set for a bad comment. */
  readonly problem?: string;
}

const MARKER = /lowtide-ignore/i;
const DIRECTIVE = /^(?:--|#|\/\*)\s*lowtide-ignore(-file)?(?![\w-])\s*(:?)([\s\S]*?)(?:\*\/)?$/i;

function example(scope: 'statement' | 'file', rule = '<rule-id>'): string {
  return `"-- lowtide-ignore${scope === 'file' ? '-file' : ''}: ${rule} -- <why it is safe here>"`;
}

/** Reads one comment; undefined when it is not an ignore comment at all. */
function readComment(
  text: string,
  knownRules: ReadonlySet<string>,
  engine: Engine,
): Omit<IgnoreDirective, 'line' | 'endLine' | 'text'> | undefined {
  const match = DIRECTIVE.exec(text.trim());
  if (!match) return undefined;
  const scope = match[1] ? 'file' : 'statement';
  const bad = (problem: string) => ({ scope, rules: [], reason: '', problem }) as const;
  if (!match[2]) return bad(`an ignore comment needs a colon after its keyword: write ${example(scope)}`);
  const body = match[3]!.replace(/\s+/g, ' ').trim();
  // Rule ids hold single hyphens only, so the first `--` ends them.
  const separator = body.indexOf('--');
  const idsPart = separator === -1 ? body : body.slice(0, separator);
  const reason = separator === -1 ? '' : body.slice(separator + 2).trim();
  const rules = idsPart
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (rules.length === 0) return bad(`the ignore comment names no rule: write ${example(scope)}`);
  const unknown = rules.filter((id) => !knownRules.has(id));
  if (unknown.length > 0) {
    const names = unknown.map((id) => JSON.stringify(id)).join(', ');
    return bad(
      `the ignore comment names ${unknown.length === 1 ? 'an unknown rule' : 'unknown rules'} for ${engine}: ${names}. Use the rule id a finding reports (the rules tables in docs/ddl-guard.md list them), e.g. ${example(scope, [...knownRules][0])}`,
    );
  }
  if (!reason) {
    return bad(`an ignore comment needs a reason after " -- ": write ${example(scope, rules.join(', '))}`);
  }
  return { scope, rules, reason };
}

/** True when nothing but whitespace is on the comment's first line before it and on its last line after it. */
function onItsOwnLines(source: string, start: number, end: number): boolean {
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = source.indexOf('\n', end);
  const after = source.slice(end, lineEnd === -1 ? source.length : lineEnd);
  return source.slice(lineStart, start).trim() === '' && after.trim() === '';
}

/** Every ignore comment of a source, in order; bad ones carry their `problem`. */
export function readIgnoreDirectives(
  source: string,
  engine: Engine,
  knownRules: ReadonlySet<string>,
): IgnoreDirective[] {
  if (!MARKER.test(source)) return [];
  let tokens: ReturnType<typeof tokenize>;
  try {
    tokens = tokenize(source, engine === 'postgres' ? 'postgres' : 'mysql');
  } catch (error) {
    // The script does not lex: it is reported whole as unparsed, and no comment can be placed.
    if (error instanceof UnterminatedTokenError) return [];
    throw error;
  }
  const lineOf = lineIndex(source);
  const directives: IgnoreDirective[] = [];
  for (const token of tokens) {
    if (token.kind !== 'comment' || !MARKER.test(token.text)) continue;
    const read = readComment(token.text, knownRules, engine);
    if (!read) continue;
    const located = {
      ...read,
      line: lineOf(token.start),
      endLine: lineOf(Math.max(token.start, token.end - 1)),
      text: token.text.trim(),
    };
    if (!read.problem && read.scope === 'statement' && !onItsOwnLines(source, token.start, token.end)) {
      directives.push({
        ...located,
        problem: `an ignore comment goes on its own line, just before the statement it is for: move ${JSON.stringify(located.text)} to the line above that statement`,
      });
    } else {
      directives.push(located);
    }
  }
  return directives;
}
