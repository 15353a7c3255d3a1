import type { Token } from '../../sql/lexer';

/** A cursor over a statement's significant tokens, for the few shapes node-sql-parser cannot read. */
export class TokenCursor {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  /** Consumes the next token when it is this keyword (case-insensitive). */
  word(...words: string[]): string | undefined {
    const t = this.peek();
    if (t?.kind !== 'word') return undefined;
    const match = words.find((w) => w.toLowerCase() === t.text.toLowerCase());
    if (match) this.i++;
    return match;
  }

  op(text: string): boolean {
    if (this.peek()?.text !== text) return false;
    this.i++;
    return true;
  }

  /** An identifier: an unquoted word or a backquoted name (unquoted). */
  ident(): string | undefined {
    const t = this.peek();
    if (t?.kind === 'word') {
      this.i++;
      return t.text;
    }
    if (t?.kind === 'quoted') {
      this.i++;
      return t.text.slice(1, -1).replace(/``/g, '`');
    }
    return undefined;
  }

  /** `name` or `db.name`. */
  tableRef(): string | undefined {
    const first = this.ident();
    if (first === undefined) return undefined;
    if (!this.op('.')) return first;
    const second = this.ident();
    return second === undefined ? undefined : `${first}.${second}`;
  }

  number(): number | undefined {
    const t = this.peek();
    if (t?.kind !== 'number') return undefined;
    this.i++;
    return Number(t.text);
  }

  rest(): Token[] {
    const out = this.tokens.slice(this.i);
    this.i = this.tokens.length;
    return out;
  }
}

/** Splits tokens at commas outside parentheses (ALTER TABLE clause lists). */
export function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && depth === 0) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}
