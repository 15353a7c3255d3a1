import { createHash } from 'node:crypto';
import type { Engine } from '../db/types';
import { type Dialect, significant, type Token, tokenize, UnterminatedTokenError } from '../sql/lexer';

/**
 * Bumped whenever normalisation changes, so an old consent can never silently match a
 * statement it was not given for: a new version only asks again.
 */
export const FINGERPRINT_VERSION = 'ddl1';

/**
 * MySQL keywords folded to lower case. Other unquoted words keep their case, because MySQL table
 * names are case-sensitive on most Linux servers: consent for `Orders` must not cover `orders`.
 */
const MYSQL_KEYWORDS = new Set(
  `add after algorithm all alter analyze and as asc auto_increment before between bigint binary bit blob
  bool boolean btree by cascade change char character charset check collate column columns comment
  constraint convert copy create current_timestamp database date datetime decimal default delete desc
  disable discard double drop enable engine enum exclusive exists first float for force foreign from
  fulltext generated hash if ignore import in index inplace insert instant int integer into invisible
  is json key key_block_size keys like limit local lock longblob longtext mediumblob mediumint mediumtext
  modify no_write_to_binlog nocopy none not now null numeric on online optimize or order partition
  primary real references rename replace restrict row_format schema select session set shared smallint
  spatial stored table tables temporary text time timestamp tinyint tinytext to truncate unique unsigned
  update using values varbinary varchar view virtual visible wait nowait where with zerofill`.split(/\s+/),
);

function normaliseToken(token: Token, dialect: Dialect): string {
  if (token.kind !== 'word') return token.text;
  const lower = token.text.toLowerCase();
  // PostgreSQL folds every unquoted name to lower case itself, so folding changes nothing it sees.
  if (dialect === 'postgres') return lower;
  return MYSQL_KEYWORDS.has(lower) ? lower : token.text;
}

/**
 * The statement with comments and layout removed, keyword case folded, and literals and quoted
 * names kept exactly: two spellings of the same statement normalise alike, while a different
 * table, column, value or type does not.
 */
export function normaliseStatement(sql: string, engine: Engine): string {
  const dialect: Dialect = engine;
  let tokens: Token[];
  try {
    tokens = significant(tokenize(sql, dialect));
  } catch (error) {
    // Unterminated quote: the statement cannot run as written; fingerprint the raw text.
    if (error instanceof UnterminatedTokenError) return sql.trim().replace(/\s+/g, ' ');
    throw error;
  }
  return normaliseTokens(tokens, dialect);
}

function normaliseTokens(tokens: readonly Token[], dialect: Dialect): string {
  let end = tokens.length;
  while (end > 0 && tokens[end - 1]!.text === ';') end--;
  const words: string[] = [];
  for (let i = 0; i < end; i++) words.push(normaliseToken(tokens[i]!, dialect));
  return words.join(' ');
}

function fingerprintOf(normalised: string, engine: Engine): string {
  const digest = createHash('sha256').update(`${engine}\n${normalised}`).digest('hex');
  return `${FINGERPRINT_VERSION}-${digest.slice(0, 16)}`;
}

/** `ddl1-` and 16 hex digits of SHA-256 over the engine and the normalised statement. */
export function statementFingerprint(sql: string, engine: Engine): string {
  return fingerprintOf(normaliseStatement(sql, engine), engine);
}

/**
 * The same fingerprint from the statement's significant tokens (a split script's slice already has
 * them), so a long script is not lexed once more per statement.
 */
export function tokensFingerprint(tokens: readonly Token[], engine: Engine): string {
  return fingerprintOf(normaliseTokens(tokens, engine), engine);
}
