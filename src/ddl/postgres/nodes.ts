import type { A_Const, Node, RangeVar, TypeName } from 'libpg-query';

type TagOf<N> = N extends unknown ? keyof N : never;
/** Every node tag of the PostgreSQL parse tree, e.g. `AlterTableStmt`. */
export type Tag = TagOf<Node>;
export type NodeOf<K extends Tag> = Extract<Node, Record<K, unknown>>[K];

/** The node's payload when it has this tag. */
export function nodeAs<K extends Tag>(node: Node | undefined, tag: K): NodeOf<K> | undefined {
  if (!node || !(tag in node)) return undefined;
  return (node as unknown as Record<K, NodeOf<K>>)[tag];
}

export function tagOf(node: Node): string {
  return Object.keys(node)[0] ?? 'unknown';
}

/** `schema.name` or `name`, as PostgreSQL resolved the spelling (unquoted names folded). */
export function relationName(rel: RangeVar | undefined): string | undefined {
  if (!rel?.relname) return undefined;
  return rel.schemaname ? `${rel.schemaname}.${rel.relname}` : rel.relname;
}

/** The String values of a name list such as `funcname` or `TypeName.names`. */
export function names(list: readonly Node[] | undefined): string[] {
  return (list ?? []).map((n) => nodeAs(n, 'String')?.sval ?? '').filter((s) => s !== '');
}

/** A type's own name without the `pg_catalog.` the grammar adds to built-in types. */
export function typeName(type: TypeName | undefined): string {
  const parts = names(type?.names);
  return parts[parts.length - 1] ?? '';
}

/** The integer modifiers of a type, e.g. [20] for varchar(20); undefined when one is not a constant. */
export function typeModifiers(type: TypeName | undefined): number[] | undefined {
  const mods: number[] = [];
  for (const m of type?.typmods ?? []) {
    const value = constantNumber(nodeAs(m, 'A_Const'));
    if (value === undefined) return undefined;
    mods.push(value);
  }
  return mods;
}

/** A numeric constant (protobuf omits zero, so an empty `ival` is 0). */
export function constantNumber(c: A_Const | undefined): number | undefined {
  if (!c) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  if (c.fval?.fval !== undefined) return Number(c.fval.fval);
  return undefined;
}

export function constantText(c: A_Const | undefined): string | undefined {
  if (!c) return undefined;
  if (c.sval) return c.sval.sval ?? '';
  const n = constantNumber(c);
  return n === undefined ? undefined : String(n);
}

const FALSE_WORDS = new Set(['false', 'off', 'no', '0']);

/**
 * Whether a utility option such as `(CONCURRENTLY)`, `(FULL true)` or `(FULL off)` is switched on:
 * named with no value, or with a value PostgreSQL reads as true. `(CONCURRENTLY false)` is off.
 */
export function optionOn(options: readonly Node[] | undefined, name: string): boolean {
  for (const item of options ?? []) {
    const def = nodeAs(item, 'DefElem');
    if (def?.defname !== name) continue;
    if (!def.arg) return true;
    const word = nodeAs(def.arg, 'String')?.sval ?? nodeAs(def.arg, 'Boolean')?.boolval;
    if (typeof word === 'boolean') return word;
    if (typeof word === 'string') return !FALSE_WORDS.has(word.toLowerCase());
    const integer = nodeAs(def.arg, 'Integer');
    if (integer) return (integer.ival ?? 0) !== 0;
    return true;
  }
  return false;
}
