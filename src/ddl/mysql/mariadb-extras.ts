import { significant, type Token, tokenize } from '../../sql/lexer';
import type { StatementSlice } from '../split-statements';
import type { MysqlServer } from '../types';
import type { MariadbExtras, MysqlModel } from './statement-model';

export interface WithoutExtras {
  /** The statement with MariaDB-only syntax taken out, for node-sql-parser. */
  readonly text: string;
  readonly tokens: readonly Token[];
  readonly extras: MariadbExtras;
  /** Puts what was taken out back into the model (ALGORITHM=NOCOPY, ONLINE). */
  apply(model: MysqlModel): MysqlModel;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.text.toLowerCase() === word;

/**
 * node-sql-parser 5 does not know MariaDB's `ALTER ONLINE TABLE`, `WAIT n` / `NOWAIT` and
 * `ALGORITHM=NOCOPY`. They are cut out (NOCOPY parsed as INPLACE) and their meaning restored on
 * the model, so a MariaDB migration written the careful way is read instead of refused.
 */
export function mariadbExtras(slice: StatementSlice, server: MysqlServer): WithoutExtras {
  const tokens = slice.tokens;
  const edits: Edit[] = [];
  let online = false;
  let nocopy = false;
  let waitSeconds: number | undefined;

  // MySQL rejects ONLINE and WAIT as syntax errors: for a MySQL server those stay unparsed. NOCOPY is
  // still read, so the finding can say why MySQL refuses it.
  if (server !== 'mysql' && isWord(tokens[0], 'alter')) {
    let i = 1;
    if (isWord(tokens[i], 'online')) {
      edits.push({ start: tokens[i]!.start, end: tokens[i]!.end, replacement: '' });
      online = true;
      i++;
    }
    if (isWord(tokens[i], 'ignore')) i++;
    if (isWord(tokens[i], 'table')) {
      i++;
      if (isWord(tokens[i], 'if') && isWord(tokens[i + 1], 'exists')) i += 2;
      i += tokens[i + 1]?.text === '.' ? 3 : 1;
      const t = tokens[i];
      if (isWord(t, 'wait') && tokens[i + 1]?.kind === 'number') {
        waitSeconds = Number(tokens[i + 1]!.text);
        edits.push({ start: t!.start, end: tokens[i + 1]!.end, replacement: '' });
      } else if (isWord(t, 'nowait')) {
        waitSeconds = 0;
        edits.push({ start: t!.start, end: t!.end, replacement: '' });
      }
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'algorithm')) continue;
    const value = tokens[i + 1]?.text === '=' ? tokens[i + 2] : tokens[i + 1];
    if (isWord(value, 'nocopy')) {
      edits.push({ start: value!.start, end: value!.end, replacement: 'INPLACE' });
      nocopy = true;
    }
  }

  let text = slice.text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    text = text.slice(0, edit.start) + edit.replacement + text.slice(edit.end);
  }
  return {
    text,
    tokens: edits.length > 0 ? significant(tokenize(text, 'mysql')) : tokens,
    extras: {
      ...(waitSeconds === undefined ? {} : { waitSeconds }),
      ...(edits.length > 0 ? { mariadbOnly: true } : {}),
    },
    apply(model) {
      if (model.kind !== 'alter' || (!nocopy && !online)) return model;
      const clauses = { ...model.clauses };
      if (nocopy) clauses.algorithm = 'NOCOPY';
      if (online) clauses.lock ??= 'NONE';
      return { ...model, clauses };
    },
  };
}
