/**
 * EventBridge event-pattern matching, as the Amazon EventBridge User Guide describes it in
 * "Creating Amazon EventBridge event patterns", "Content filtering in Amazon EventBridge event
 * patterns", "Comparison operators for use in event patterns in Amazon EventBridge", "Matching
 * null values and empty strings in Amazon EventBridge event patterns" and "Arrays in Amazon
 * EventBridge event patterns".
 *
 * A pattern is compiled once (so a pattern EventBridge would refuse at PutRule is refused here
 * with the path of the offending part) and then matched against events.
 */

export type EventPattern = { readonly [key: string]: unknown };

/** A pattern EventBridge would refuse ("Event pattern is not valid"). */
export class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
}

type Matcher = (value: unknown) => boolean;
type FieldTest = (container: unknown) => boolean;

/** Numeric matching is limited to this range ("Content filtering in Amazon EventBridge event patterns"). */
const NUMERIC_LIMIT = 5e9;

export function compileEventPattern(pattern: unknown): (event: unknown) => boolean {
  if (!isPlainObject(pattern)) throw new EventPatternError('an event pattern must be a JSON object');
  const test = compileObject(pattern, '');
  return (event) => test(event);
}

export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}

/** Fields are ANDed; `$or` holds alternative sub-patterns for the same level. */
function compileObject(pattern: Readonly<Record<string, unknown>>, path: string): FieldTest {
  const tests: FieldTest[] = [];
  for (const [key, sub] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isPlainObject)) {
        throw new EventPatternError(`${at} must be an array of at least two patterns`);
      }
      const alternatives = sub.map((alternative, i) => compileObject(alternative, `${at}[${i}]`));
      tests.push((container) => alternatives.some((alternative) => alternative(container)));
    } else if (Array.isArray(sub)) {
      const leaf = compileLeaf(sub, at);
      tests.push((container) => leaf(leafValues(fieldOf(container, key))));
    } else if (isPlainObject(sub)) {
      const nested = compileObject(sub, at);
      tests.push((container) => matchNested(nested, fieldOf(container, key)));
    } else {
      throw new EventPatternError(`${at} must be an array of values or a nested pattern, got ${json(sub)}`);
    }
  }
  return (container) => tests.every((test) => test(container));
}

/**
 * An array of objects in the event is matched element by element: all fields of a sub-pattern
 * must come from the same element ("Arrays in Amazon EventBridge event patterns").
 */
function matchNested(nested: FieldTest, value: unknown): boolean {
  if (!Array.isArray(value)) return nested(value);
  const objects = flatten(value).filter(isPlainObject);
  return objects.length === 0 ? nested(undefined) : objects.some((element) => nested(element));
}

function fieldOf(container: unknown, key: string): unknown {
  return isPlainObject(container) && Object.hasOwn(container, key) ? container[key] : undefined;
}

/**
 * The values a leaf matcher sees. A missing field has none; so has an object, since matching
 * (exists included) works on leaf nodes only; an array contributes each of its scalar elements.
 * null is a value, and not the same as a missing field.
 */
function leafValues(value: unknown): unknown[] {
  if (value === undefined || isPlainObject(value)) return [];
  if (Array.isArray(value)) return flatten(value).filter((v) => !isPlainObject(v));
  return [value];
}

function flatten(values: readonly unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? flatten(v) : [v]));
}

/** Values in one array are ORed; exists looks at presence, every other matcher at each value. */
function compileLeaf(matchers: readonly unknown[], path: string): (values: unknown[]) => boolean {
  if (matchers.length === 0) throw new EventPatternError(`${path} must list at least one value`);
  const tests = matchers.map((matcher, i): ((values: unknown[]) => boolean) => {
    if (isPlainObject(matcher) && Object.hasOwn(matcher, 'exists')) {
      const keys = Object.keys(matcher);
      if (keys.length !== 1 || typeof matcher.exists !== 'boolean') {
        throw new EventPatternError(`${path}[${i}]: exists takes true or false, alone`);
      }
      const wanted = matcher.exists;
      return (values) => values.length > 0 === wanted;
    }
    const one = compileValueMatcher(matcher, `${path}[${i}]`);
    return (values) => values.some(one);
  });
  return (values) => tests.some((test) => test(values));
}

function compileValueMatcher(matcher: unknown, path: string): Matcher {
  if (matcher === null) return (v) => v === null;
  if (typeof matcher === 'string' || typeof matcher === 'boolean') return (v) => v === matcher;
  if (typeof matcher === 'number') return (v) => typeof v === 'number' && v === matcher;
  if (!isPlainObject(matcher)) throw new EventPatternError(`${path}: unsupported value ${json(matcher)}`);
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    throw new EventPatternError(`${path}: a matcher object takes exactly one operator, got ${json(matcher)}`);
  }
  const operator = keys[0]!;
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
      return stringTest(operand, path, operator, (v, s) => v.startsWith(s));
    case 'suffix':
      return stringTest(operand, path, operator, (v, s) => v.endsWith(s));
    case 'equals-ignore-case': {
      const wanted = requireString(operand, path, operator).toLowerCase();
      return (v) => typeof v === 'string' && v.toLowerCase() === wanted;
    }
    case 'wildcard': {
      const regex = wildcardRegex(requireString(operand, path, operator), path);
      return (v) => typeof v === 'string' && regex.test(v);
    }
    case 'anything-but':
      return anythingBut(operand, path);
    case 'numeric':
      return numeric(operand, path);
    case 'cidr':
      return cidr(operand, path);
    default:
      throw new EventPatternError(`${path}: unknown operator '${operator}'`);
  }
}

/** prefix and suffix take a string, or `{ "equals-ignore-case": string }`. */
function stringTest(
  operand: unknown,
  path: string,
  operator: string,
  test: (value: string, wanted: string) => boolean,
): Matcher {
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length === 1 && keys[0] === 'equals-ignore-case') {
      const wanted = requireString(operand['equals-ignore-case'], path, `${operator}.equals-ignore-case`);
      const lower = wanted.toLowerCase();
      return (v) => typeof v === 'string' && test(v.toLowerCase(), lower);
    }
    throw new EventPatternError(`${path}: ${operator} takes a string or { "equals-ignore-case": string }`);
  }
  const wanted = requireString(operand, path, operator);
  return (v) => typeof v === 'string' && test(v, wanted);
}

/**
 * anything-but excludes what it lists and matches every other value that is present: a missing
 * field has no value to match. Forms: a value, a list of only strings or only numbers, or one
 * prefix / suffix / equals-ignore-case / wildcard.
 */
function anythingBut(operand: unknown, path: string): Matcher {
  const at = `${path}.anything-but`;
  if (typeof operand === 'string' || typeof operand === 'number') return (v) => v !== operand;
  if (Array.isArray(operand)) {
    const allStrings = operand.every((x) => typeof x === 'string');
    const allNumbers = operand.every((x) => typeof x === 'number');
    if (operand.length === 0 || !(allStrings || allNumbers)) {
      throw new EventPatternError(`${at}: a list must hold only strings or only numbers`);
    }
    const excluded = new Set<unknown>(operand);
    return (v) => !excluded.has(v);
  }
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1)
      throw new EventPatternError(`${at}: takes one of prefix, suffix, equals-ignore-case, wildcard`);
    const key = keys[0]!;
    const inner = operand[key];
    const strings = (what: string) => {
      const list = Array.isArray(inner) ? inner : [inner];
      if (list.length === 0 || !list.every((x) => typeof x === 'string')) {
        throw new EventPatternError(`${at}.${key}: ${what}`);
      }
      return list as string[];
    };
    let excluded: (value: string) => boolean;
    switch (key) {
      case 'prefix': {
        const prefix = requireString(inner, at, 'prefix');
        excluded = (v) => v.startsWith(prefix);
        break;
      }
      case 'suffix': {
        const suffix = requireString(inner, at, 'suffix');
        excluded = (v) => v.endsWith(suffix);
        break;
      }
      case 'equals-ignore-case': {
        const lower = new Set(strings('takes a string or a list of strings').map((s) => s.toLowerCase()));
        excluded = (v) => lower.has(v.toLowerCase());
        break;
      }
      case 'wildcard': {
        const regexes = strings('takes a string or a list of strings').map((s) => wildcardRegex(s, at));
        excluded = (v) => regexes.some((r) => r.test(v));
        break;
      }
      default:
        throw new EventPatternError(`${at}: unknown operator '${key}'`);
    }
    // Only strings can be excluded by a string test; any other present value matches.
    return (v) => typeof v !== 'string' || !excluded(v);
  }
  throw new EventPatternError(`${at}: unsupported operand ${json(operand)}`);
}

const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

/** `["=", n]`, `[">", n]`, `["<=", n]`, or a lower bound then an upper bound. JSON numbers only. */
function numeric(operand: unknown, path: string): Matcher {
  const at = `${path}.numeric`;
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new EventPatternError(`${at}: takes [op, number] or [lower-op, number, upper-op, number]`);
  }
  const tests: Array<(v: number) => boolean> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const bound = operand[i + 1];
    if (typeof bound !== 'number' || !Number.isFinite(bound) || Math.abs(bound) > NUMERIC_LIMIT) {
      throw new EventPatternError(
        `${at}: bound must be a number within ±${NUMERIC_LIMIT}, got ${json(bound)}`,
      );
    }
    const allowed =
      operand.length === 2
        ? op === '=' || LOWER_BOUNDS.has(op) || UPPER_BOUNDS.has(op)
        : i === 0
          ? LOWER_BOUNDS.has(op)
          : UPPER_BOUNDS.has(op);
    if (!allowed) throw new EventPatternError(`${at}: operator ${json(op)} is not allowed there`);
    tests.push(comparison(op as string, bound));
  }
  return (v) => typeof v === 'number' && tests.every((test) => test(v));
}

function comparison(op: string, bound: number): (v: number) => boolean {
  switch (op) {
    case '=':
      return (v) => v === bound;
    case '>':
      return (v) => v > bound;
    case '>=':
      return (v) => v >= bound;
    case '<':
      return (v) => v < bound;
    default:
      return (v) => v <= bound;
  }
}

/** IPv4 CIDR only; an IPv6 block is refused as not emulated rather than matched wrongly. */
function cidr(operand: unknown, path: string): Matcher {
  const block = requireString(operand, path, 'cidr');
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(block);
  const base = match ? ipv4(match[1]!) : undefined;
  const bits = match ? Number(match[2]) : Number.NaN;
  if (base === undefined || !(bits >= 0 && bits <= 32)) {
    throw new EventPatternError(`${path}: cidr '${block}' is not an IPv4 block (IPv6 is not emulated)`);
  }
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (v) => {
    const address = typeof v === 'string' ? ipv4(v) : undefined;
    return address !== undefined && (address & mask) >>> 0 === (base & mask) >>> 0;
  };
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/**
 * `*` matches any run of characters; `\*` is a literal asterisk and `\\` a backslash. Consecutive
 * wildcards and any other escape are refused, as EventBridge refuses them.
 */
function wildcardRegex(wildcard: string, path: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i]!;
    if (c === '\\') {
      const next = wildcard[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new EventPatternError(`${path}: wildcard '${wildcard}' escapes something other than * or \\`);
      }
      source += `\\${next}`;
      i++;
    } else if (c === '*') {
      if (wildcard[i + 1] === '*') {
        throw new EventPatternError(`${path}: wildcard '${wildcard}' has consecutive wildcard characters`);
      }
      source += '[\\s\\S]*';
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function requireString(value: unknown, path: string, operator: string): string {
  if (typeof value !== 'string')
    throw new EventPatternError(`${path}: ${operator} takes a string, got ${json(value)}`);
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
