import { UnterminatedTokenError } from '../../sql/lexer';
import { statementFingerprint, tokensFingerprint } from '../fingerprint';
import { lineAt, type StatementSlice, splitStatements } from '../split-statements';
import type { MysqlServer } from '../types';
import { mariadbExtras } from './mariadb-extras';
import { astify, modelFromAst } from './read-ast';
import { grammarLacksAClause, recognizeFallback } from './recognizers';
import type { MariadbExtras, MysqlModel } from './statement-model';

export interface MysqlParsed {
  readonly line: number;
  readonly text: string;
  readonly fingerprint: string;
  readonly model?: MysqlModel;
  readonly extras: MariadbExtras;
  /** Why the statement could not be read; set exactly when `model` is not. */
  readonly error?: string;
}

function parseSlice(slice: StatementSlice, server: MysqlServer): MysqlParsed {
  const base = { line: slice.line, text: slice.text, fingerprint: tokensFingerprint(slice.tokens, 'mysql') };
  const executable = slice.tokens.find((t) => t.kind === 'exec-comment');
  if (executable) {
    return {
      ...base,
      extras: {},
      error: `it holds an executable comment (${executable.text.slice(0, 20)}...), which the server runs but parsers skip`,
    };
  }
  const extras = mariadbExtras(slice, server);
  if (grammarLacksAClause(extras.tokens)) {
    // The parser cannot read it; when the fallback cannot either, the parser's error is reported below.
    const model = recognizeFallback(extras.tokens, extras.text);
    if (model) return { ...base, model: extras.apply(model), extras: extras.extras };
  }
  const { ast, error } = astify(extras.text);
  const model = ast ? modelFromAst(ast) : recognizeFallback(extras.tokens, extras.text);
  if (model) return { ...base, model: extras.apply(model), extras: extras.extras };
  return { ...base, extras: extras.extras, error: error ?? 'node-sql-parser does not read this statement' };
}

/** Splits a MySQL/MariaDB script and reads each statement; unreadable ones carry an error instead of a model. */
export function parseMysqlScript(source: string, server: MysqlServer): MysqlParsed[] {
  let slices: StatementSlice[];
  try {
    slices = splitStatements(source, 'mysql');
  } catch (error) {
    if (!(error instanceof UnterminatedTokenError)) throw error;
    const text = source.trim();
    return [
      {
        line: lineAt(source, source.indexOf(text)),
        text,
        fingerprint: statementFingerprint(text, 'mysql'),
        extras: {},
        error: error.message,
      },
    ];
  }
  return slices.map((slice) => parseSlice(slice, server));
}
