import { type Token, UnterminatedTokenError } from '../../sql/lexer';
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

/** Models that hold nothing read from a literal: the same for every statement of one literal shape. */
const LITERAL_FREE = new Set<MysqlModel['kind']>(['other', 'dml', 'create-table', 'drop-tables', 'truncate']);
const PLAIN_NUMBER = /^[0-9]+$/;
const PLAIN_STRING = /^'[A-Za-z0-9 _]*'$/;

/**
 * The statement with each plain number and plain string literal blanked: two statements of one
 * shape differ only in those, which node-sql-parser's grammar reads alike (digits; letters, digits
 * and spaces between single quotes), so it reads both or neither, into the same model when the
 * model holds no literal. A migration's seed INSERTs are then parsed once, not once each.
 */
function literalShape(tokens: readonly Token[]): string {
  let shape = '';
  for (const t of tokens) {
    if (t.kind === 'number' && PLAIN_NUMBER.test(t.text)) shape += '\u0000#';
    else if (t.kind === 'string' && PLAIN_STRING.test(t.text)) shape += "\u0000'";
    else shape += `\u0000${t.kind}:${t.text}`;
  }
  return shape;
}

/** Per script: the model of each literal shape node-sql-parser has read, where the model holds no literal. */
type ShapeModels = Map<string, MysqlModel>;

function parsedModel(
  tokens: readonly Token[],
  text: string,
  shapes: ShapeModels,
): { read: boolean; model?: MysqlModel; error?: string } {
  const shape = literalShape(tokens);
  const known = shapes.get(shape);
  if (known) return { read: true, model: known };
  const { ast, error } = astify(text);
  if (!ast) return { read: false, error };
  const model = modelFromAst(ast);
  if (model && LITERAL_FREE.has(model.kind)) shapes.set(shape, model);
  return { read: true, model };
}

function parseSlice(slice: StatementSlice, server: MysqlServer, shapes: ShapeModels): MysqlParsed {
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
  const parsed = parsedModel(extras.tokens, extras.text, shapes);
  const { error } = parsed;
  const model = parsed.read ? parsed.model : recognizeFallback(extras.tokens, extras.text);
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
  const shapes: ShapeModels = new Map();
  return slices.map((slice) => parseSlice(slice, server, shapes));
}
