/**
 * Job authors write SQL expressions (a predicate, the value of a SET). lowtide embeds them in its
 * own statements, so an expression must stay one expression: no statement separator and no
 * comment that could swallow the rest of lowtide's SQL. Quoted text is skipped, so
 * `note = 'a;b'` is fine.
 */
export function sqlFragmentProblem(fragment: string): string | undefined {
  if (fragment.trim() === '') return 'must not be empty';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u0008\u000e-\u001f]/.test(fragment)) return 'must not contain control characters';
  let quote: string | undefined;
  for (let i = 0; i < fragment.length; i++) {
    const ch = fragment[i]!;
    const next = fragment[i + 1];
    if (quote) {
      if (ch === '\\' && quote !== '"') {
        i++; // MySQL treats backslash as an escape inside strings; skipping is safe for PostgreSQL too.
      } else if (ch === quote) {
        if (next === quote) i++;
        else quote = undefined;
      }
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === ';') return `must be a single SQL expression: remove the ';' at position ${i + 1}`;
    else if (ch === '-' && next === '-')
      return `must not contain a comment: remove the '--' at position ${i + 1}`;
    else if (ch === '/' && next === '*')
      return `must not contain a comment: remove the '/*' at position ${i + 1}`;
    else if (ch === '#') return `must not contain '#' outside quotes (a MySQL comment): position ${i + 1}`;
    else if (ch === '$' && next === '$') return `must not contain dollar-quoted text: position ${i + 1}`;
  }
  if (quote) return `has an unterminated ${quote} quote`;
  let depth = 0;
  for (const ch of stripQuoted(fragment)) {
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return 'has a ")" without its "(": it must be one balanced expression';
  }
  if (depth !== 0) return 'has an unclosed "(": it must be one balanced expression';
  return undefined;
}

function stripQuoted(fragment: string): string {
  return fragment.replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`/g, "''");
}
