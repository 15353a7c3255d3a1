import { type Token, tokenize, UnterminatedTokenError } from './lexer';

export type FragmentEngine = 'postgres' | 'mysql';

/**
 * What an author's SQL is for: an `expression` lowtide embeds inside its own statements (a
 * predicate, the value of a SET, an invariant), or a whole `select` it runs as it is (a
 * preflight check). Both must stay exactly what they claim to be.
 */
export type FragmentRole = 'expression' | 'select';

/**
 * The lexical screen: cheap, synchronous, and run on every job as it is defined. It reads the
 * text the way the job's engine does (PostgreSQL: `'...'` has no backslash escapes under
 * standard_conforming_strings, `E'...'` does, `$tag$...$tag$` quotes anything; MySQL and MariaDB:
 * a backslash escapes inside `'...'` and `"..."`, and `"..."` is a string unless ANSI_QUOTES) and
 * refuses whatever could let the text end its place early: a statement separator, a comment, an
 * unbalanced parenthesis, a bind placeholder. Where the server's reading depends on a setting
 * (standard_conforming_strings, NO_BACKSLASH_ESCAPES, ANSI_QUOTES), the one character whose
 * meaning changes, the backslash, is refused, so every reading ends each quote in the same place.
 * The engine's real parser checks the meaning afterwards (see src/sql/author-sql).
 */
export function sqlFragmentProblem(
  fragment: string,
  engine: FragmentEngine,
  role: FragmentRole = 'expression',
): string | undefined {
  if (fragment.trim() === '') return 'must not be empty';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(fragment)) return 'must not contain control characters';
  let tokens: Token[];
  try {
    tokens = tokenize(fragment, engine);
  } catch (error) {
    if (error instanceof UnterminatedTokenError)
      return `has an unterminated ${error.what} at position ${error.offset + 1}: close it`;
    throw error;
  }
  const single = role === 'select' ? 'a single SELECT' : 'a single SQL expression';
  let depth = 0;
  for (const token of tokens) {
    const at = `at position ${token.start + 1}`;
    const problem = tokenProblem(token, engine, single, at);
    if (problem) return problem;
    if (token.kind !== 'op') continue;
    if (token.text === '(') depth++;
    if (token.text === ')' && --depth < 0)
      return `has a ")" without its "(" ${at}: it must be one balanced expression`;
  }
  if (depth !== 0) return 'has an unclosed "(": it must be one balanced expression';
  if (engine === 'mysql' && fragment.includes('?')) {
    // mysql2 fills `?` placeholders on the client, inside quotes too, so an author's `?` would
    // take one of lowtide's bind values and shift the rest.
    return `must not contain '?' on MySQL, not even inside quotes (the driver fills every '?' with a bind value): write CHAR(63) instead`;
  }
  return undefined;
}

function tokenProblem(token: Token, engine: FragmentEngine, single: string, at: string): string | undefined {
  const { kind, text } = token;
  if (kind === 'comment' || kind === 'exec-comment')
    return `must not contain a comment: remove the '${text.slice(0, 2)}' ${at}`;
  if (kind === 'param') return `must not contain a bind placeholder ('${text}') ${at}`;
  if (kind === 'op') {
    if (text.includes(';')) return `must be ${single}: remove the ';' ${at}`;
    if (text.includes('--')) return `must not contain '--' ${at} (a comment on most servers)`;
    // The lexer reads `*/*` as one operator; the server reads `*` and a comment (MySQL's `/*!`
    // comment even runs its contents), which the parsers skip.
    if (text.includes('/*') || text.includes('*/'))
      return `must not contain '/*' or '*/' ${at} (a comment, whatever surrounds it)`;
    if (text.includes('\\')) return `must not contain a backslash outside quotes ${at}`;
    if (engine === 'postgres' && text === '$')
      return `must not contain '$' outside quotes ${at} (dollar quoting or a placeholder)`;
    return undefined;
  }
  if (kind !== 'string' && kind !== 'quoted') return undefined;
  if (engine === 'postgres' && text.startsWith('$'))
    return `must not contain dollar-quoted text ${at}: use '...' quotes`;
  if (text.includes('\\') && !(engine === 'postgres' && /^[Ee]'/.test(text))) {
    return engine === 'postgres'
      ? `must not contain a backslash inside '...' or "..." ${at}: whether it escapes depends on standard_conforming_strings; write E'...' for escapes`
      : `must not contain a backslash inside quotes ${at}: whether it escapes depends on NO_BACKSLASH_ESCAPES and ANSI_QUOTES; use CHAR(92) for a backslash`;
  }
  return undefined;
}
