import { isPlainObject } from './pattern';

/** A rule target as AWS::Events::Rule Targets holds it, intrinsics already resolved. */
export interface RuleTarget {
  readonly Id: string;
  readonly Arn: string;
  readonly RoleArn?: string;
  /** Constant JSON text sent instead of the event. */
  readonly Input?: string;
  /** A JSONPath selecting the part of the event to send. */
  readonly InputPath?: string;
  readonly InputTransformer?: {
    readonly InputPathsMap?: Readonly<Record<string, string>>;
    readonly InputTemplate: string;
  };
  readonly RetryPolicy?: {
    readonly MaximumRetryAttempts?: number;
    readonly MaximumEventAgeInSeconds?: number;
  };
  readonly DeadLetterConfig?: { readonly Arn?: string };
}

/** What the predefined variables of an input template refer to. */
export interface RuleContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** When EventBridge received the event. Default: the event's time. */
  readonly ingestionTime?: Date;
}

export interface TargetInput {
  /** The payload as EventBridge sends it. */
  readonly text: string;
  /** The payload parsed, when it is JSON (what a Lambda function receives as its event). */
  readonly json: boolean;
  readonly value?: unknown;
}

/** A target configuration EventBridge would refuse, or a transformation it could not deliver. */
export class TargetInputError extends Error {
  override readonly name = 'TargetInputError';
}

/**
 * The payload a rule target receives for an event: the event itself, or `Input` as given, or the
 * part `InputPath` selects, or `InputTransformer`'s template filled in ("PutTargets", "Amazon
 * EventBridge input transformation").
 */
export function renderTargetInput(target: RuleTarget, event: unknown, rule: RuleContext): TargetInput {
  const given = [target.Input, target.InputPath, target.InputTransformer].filter((x) => x !== undefined);
  if (given.length > 1) {
    throw new TargetInputError(
      `target ${target.Id}: give at most one of Input, InputPath and InputTransformer`,
    );
  }
  if (target.Input !== undefined) {
    const value = parseJson(target.Input);
    if (value === NOT_JSON) throw new TargetInputError(`target ${target.Id}: Input must be valid JSON text`);
    return { text: target.Input, json: true, value };
  }
  if (target.InputPath !== undefined) {
    const selected = selectJsonPath(event, target.InputPath);
    if (selected === undefined) {
      throw new TargetInputError(
        `target ${target.Id}: InputPath ${target.InputPath} selects nothing in the event`,
      );
    }
    return jsonInput(selected);
  }
  if (target.InputTransformer !== undefined) {
    return renderTemplate(target.Id, target.InputTransformer, event, rule);
  }
  return jsonInput(event);
}

function jsonInput(value: unknown): TargetInput {
  return { text: JSON.stringify(value), json: true, value };
}

const PREDEFINED = new Set([
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event',
  'aws.events.event.json',
  'aws.events.event.ingestion-time',
]);

/** Predefined variables whose JSON is inserted unescaped, whether in a string or not. */
const RAW_JSON_VARIABLES = new Set(['aws.events.event', 'aws.events.event.json']);

const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/y;

/**
 * Fills an InputTemplate as "Amazon EventBridge input transformation" describes:
 * - a placeholder in a JSON value position gets the value as JSON (a string is quoted);
 * - inside a quoted string, or in a template that is plain text, a string value goes in as it is:
 *   "EventBridge doesn't escape values extracted by Input Path", so a quote in it breaks the JSON;
 * - a variable whose path is not in the event "isn't created and won't appear in the output";
 * - `<aws.events.event>` (the event without detail) and `<aws.events.event.json>` (the whole
 *   event) are inserted as JSON, unescaped; the rule ARN and name and the ingestion time as strings;
 * - "The JSON that is passed to the target is minified".
 * A JSON template that does not render valid JSON cannot be delivered: that is an error here.
 */
function renderTemplate(
  targetId: string,
  transformer: NonNullable<RuleTarget['InputTransformer']>,
  event: unknown,
  rule: RuleContext,
): TargetInput {
  const pathsMap = transformer.InputPathsMap ?? {};
  const variables = new Map<string, unknown>();
  for (const [name, path] of Object.entries(pathsMap)) {
    if (!VARIABLE_NAME.test(name) || name.toLowerCase().startsWith('aws.') || PREDEFINED.has(name)) {
      throw new TargetInputError(
        `target ${targetId}: InputPathsMap key '${name}' must match [A-Za-z0-9_-]+ and not start with "AWS."`,
      );
    }
    const value = selectJsonPath(event, path);
    if (value !== undefined) variables.set(name, value);
  }
  const predefined = predefinedValues(event, rule);
  const template = transformer.InputTemplate;
  const trimmed = template.trim();
  const jsonTemplate = /^[[{"]/.test(trimmed) || /^<[A-Za-z0-9_.-]+>$/.test(trimmed);

  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; ) {
    const c = template[i]!;
    if (c === '\\' && inString) {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '"') inString = !inString;
    PLACEHOLDER.lastIndex = i;
    const placeholder = c === '<' ? PLACEHOLDER.exec(template) : null;
    if (!placeholder) {
      out += c;
      i++;
      continue;
    }
    const name = placeholder[1]!;
    i += placeholder[0].length;
    if (RAW_JSON_VARIABLES.has(name)) {
      out += JSON.stringify(predefined.get(name));
    } else if (predefined.has(name) || pathsMap[name] !== undefined) {
      if (!predefined.has(name) && !variables.has(name)) continue; // path not in the event
      const value = predefined.has(name) ? predefined.get(name) : variables.get(name);
      out +=
        !inString && jsonTemplate
          ? JSON.stringify(value)
          : typeof value === 'string'
            ? value
            : JSON.stringify(value);
    } else {
      out += placeholder[0]; // not a variable: text
    }
  }

  if (!jsonTemplate) return { text: out, json: false };
  const value = parseJson(out);
  if (value === NOT_JSON) {
    throw new TargetInputError(`target ${targetId}: the InputTemplate renders invalid JSON: ${out}`);
  }
  return { text: JSON.stringify(value), json: true, value };
}

function predefinedValues(event: unknown, rule: RuleContext): Map<string, unknown> {
  const time = isPlainObject(event) && typeof event.time === 'string' ? event.time : undefined;
  const ingestion = rule.ingestionTime?.toISOString() ?? time ?? new Date().toISOString();
  const withoutDetail = isPlainObject(event)
    ? Object.fromEntries(Object.entries(event).filter(([k]) => k !== 'detail'))
    : event;
  return new Map<string, unknown>([
    ['aws.events.rule-arn', rule.ruleArn],
    ['aws.events.rule-name', rule.ruleName],
    ['aws.events.event.ingestion-time', ingestion],
    ['aws.events.event', withoutDetail],
    ['aws.events.event.json', event],
  ]);
}

/**
 * The JSONPath subset EventBridge evaluates: `$`, dot notation with letters, digits, dashes and
 * underscores, array indices `[n]` and wildcards (`.*`, `[*]`, which give the list of matches).
 * Bracket notation for names is refused ("You must use JSON dot notation, not bracket notation").
 * Returns undefined when the path is not in the value.
 */
export function selectJsonPath(value: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new TargetInputError(`JSON path '${path}' must start with $`);
  const steps: Array<string | number | '*'> = [];
  const step = /\.([A-Za-z0-9_\-/]+|\*)|\[(\d+|\*)\]/y;
  let i = 1;
  while (i < path.length) {
    step.lastIndex = i;
    const m = step.exec(path);
    if (!m)
      throw new TargetInputError(
        `JSON path '${path}' uses syntax EventBridge does not support at '${path.slice(i)}'`,
      );
    const name = m[1] ?? m[2]!;
    steps.push(name === '*' ? '*' : m[2] !== undefined ? Number(name) : name);
    i = step.lastIndex;
  }
  let current: unknown[] = [value];
  let wildcard = false;
  for (const s of steps) {
    const next: unknown[] = [];
    for (const node of current) {
      if (s === '*') {
        wildcard = true;
        if (Array.isArray(node)) next.push(...node);
        else if (isPlainObject(node)) next.push(...Object.values(node));
      } else if (typeof s === 'number') {
        if (Array.isArray(node) && s < node.length) next.push(node[s]);
      } else if (isPlainObject(node) && Object.hasOwn(node, s)) {
        next.push(node[s]);
      }
    }
    current = next;
  }
  if (wildcard) return current;
  return current.length === 0 ? undefined : current[0];
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
