import type { Node } from 'libpg-query';
import { names, nodeAs } from './nodes';

/** Functions whose value differs per row: a default using one is computed for every existing row. */
const VOLATILE = new Set([
  'random',
  'random_normal',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setval',
  'currval',
  'lastval',
  'txid_current',
  'pg_current_xact_id',
]);

/** Stable or immutable built-ins commonly used in defaults: evaluated once for the ALTER. */
const NON_VOLATILE = new Set([
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'current_setting',
  'lower',
  'upper',
  'btrim',
  'ltrim',
  'rtrim',
  'length',
  'char_length',
  'concat',
  'concat_ws',
  'md5',
  'abs',
  'round',
  'floor',
  'ceil',
  'ceiling',
  'date_trunc',
  'make_date',
  'make_interval',
  'make_timestamp',
  'make_timestamptz',
  'to_jsonb',
  'jsonb_build_object',
  'jsonb_build_array',
  'json_build_object',
  'json_build_array',
  'array_fill',
]);

export type Volatility =
  | { readonly kind: 'constant' }
  | { readonly kind: 'volatile'; readonly fn: string }
  | { readonly kind: 'unknown'; readonly what: string };

const CONSTANT: Volatility = { kind: 'constant' };

function worst(parts: readonly Volatility[]): Volatility {
  return parts.find((p) => p.kind === 'volatile') ?? parts.find((p) => p.kind === 'unknown') ?? CONSTANT;
}

function all(nodes: readonly (Node | undefined)[]): Volatility {
  return worst(nodes.filter((n) => n !== undefined).map(volatility));
}

/**
 * Whether a default expression is provably evaluated once (constant), per row (volatile), or
 * cannot be told without the catalog (unknown). Unknown counts as volatile: fail closed.
 */
export function volatility(node: Node): Volatility {
  if (nodeAs(node, 'A_Const') || nodeAs(node, 'SQLValueFunction')) return CONSTANT;
  const cast = nodeAs(node, 'TypeCast');
  if (cast) return cast.arg ? volatility(cast.arg) : CONSTANT;
  const call = nodeAs(node, 'FuncCall');
  if (call) {
    const fn = names(call.funcname).at(-1)?.toLowerCase() ?? '?';
    if (VOLATILE.has(fn)) return { kind: 'volatile', fn };
    if (!NON_VOLATILE.has(fn)) return { kind: 'unknown', what: `${fn}()` };
    return all(call.args ?? []);
  }
  const expr = nodeAs(node, 'A_Expr');
  if (expr) return all([expr.lexpr, expr.rexpr]);
  const bool = nodeAs(node, 'BoolExpr');
  if (bool) return all(bool.args ?? []);
  const coalesce = nodeAs(node, 'CoalesceExpr');
  if (coalesce) return all(coalesce.args ?? []);
  const minmax = nodeAs(node, 'MinMaxExpr');
  if (minmax) return all(minmax.args ?? []);
  const array = nodeAs(node, 'A_ArrayExpr');
  if (array) return all(array.elements ?? []);
  const nullTest = nodeAs(node, 'NullTest');
  if (nullTest) return all([nullTest.arg]);
  return { kind: 'unknown', what: 'this expression' };
}
