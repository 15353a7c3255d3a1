import { compileEventPattern, type EventPattern, isPlainObject } from './pattern';
import { type RuleTarget, renderTargetInput, type TargetInput } from './targets';

/** An AWS::Events::Rule's Properties with intrinsics resolved, plus the ARN the rule has. */
export interface EventRule {
  readonly logicalId: string;
  /** arn:aws:events:<region>:<account>:rule/<name> */
  readonly arn: string;
  readonly EventPattern?: EventPattern;
  /** ENABLED (CloudFormation's default), DISABLED, or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. */
  readonly State?: string;
  /** Name or ARN; absent means the default bus, where AWS services send their events. */
  readonly EventBusName?: string;
  readonly ScheduleExpression?: string;
  readonly Targets?: readonly RuleTarget[];
}

export interface DeliveryContext {
  readonly rule: { readonly logicalId: string; readonly arn: string; readonly name: string };
  readonly targetId: string;
  /** The event as it reached the bus (an Input / InputTransformer may have replaced it in `input`). */
  readonly event: unknown;
  /** Where EventBridge would send the event once it gives up on the target. */
  readonly deadLetterArn?: string;
}

/**
 * Hands a payload to a target. The caller maps the ARN: a Lambda function to an invocation, an
 * SNS topic to Publish; `permissions.ts` decides whether EventBridge may (the function's resource
 * policy, the topic policy and its KMS key policy, for events.amazonaws.com with aws:SourceArn the
 * rule's ARN). Throwing records a failed delivery: one EventBridge would retry and then send to
 * the dead-letter queue. EventBridge invokes Lambda asynchronously, so its delivery succeeds once
 * Lambda accepts the event; a handler error is Lambda's to retry ("Asynchronous invocation", AWS
 * Lambda Developer Guide: twice by default, then dropped unless the function has an on-failure
 * destination) and should be returned as the result, not thrown. The result is recorded.
 */
export type DeliverToTarget = (
  targetArn: string,
  input: TargetInput,
  roleArn: string | undefined,
  context: DeliveryContext,
) => Promise<unknown>;

export interface Delivery {
  readonly eventId?: string;
  readonly ruleLogicalId: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly roleArn?: string;
  /** Absent when the input could not be rendered. */
  readonly input?: TargetInput;
  readonly ok: boolean;
  readonly error?: string;
  readonly deadLetterArn?: string;
  /** What the callback returned (for a Lambda target, the invocation's outcome). */
  readonly result?: unknown;
}

interface CompiledRule {
  readonly rule: EventRule;
  readonly name: string;
  readonly matches: (event: unknown) => boolean;
}

/**
 * One event bus with the template's rules: an event is matched against every enabled rule of the
 * bus, and each matching rule's targets get their input. Rules are compiled up front, so a
 * pattern EventBridge would refuse fails here rather than silently never matching.
 *
 * Not emulated: retries with backoff (RetryPolicy) and the dead-letter queue itself; a failed
 * delivery is recorded with the DLQ it would go to. Each target is called once per event here;
 * on AWS delivery is at least once, so a target may see an event twice.
 */
export class LocalEventBus {
  private readonly rules: CompiledRule[];
  private readonly recorded: Delivery[] = [];

  constructor(
    rules: readonly EventRule[],
    private readonly deliver: DeliverToTarget,
    /** The bus's name; default "default". */
    busName = 'default',
  ) {
    this.rules = rules
      .filter((rule) => rule.EventPattern !== undefined && onBus(rule, busName))
      .map((rule) => {
        try {
          return { rule, name: ruleName(rule.arn), matches: compileEventPattern(rule.EventPattern) };
        } catch (error) {
          throw new Error(`rule ${rule.logicalId}: ${(error as Error).message}`, { cause: error });
        }
      });
  }

  /** Every delivery so far, in the order of rules and targets for each event. */
  get deliveries(): readonly Delivery[] {
    return this.recorded;
  }

  deliveriesTo(targetArn: string): readonly Delivery[] {
    return this.recorded.filter((d) => d.targetArn === targetArn);
  }

  /** The logical ids of the enabled rules whose pattern matches the event. */
  matchingRules(event: unknown): string[] {
    return this.enabled()
      .filter((r) => r.matches(event))
      .map((r) => r.rule.logicalId);
  }

  /** Puts one event on the bus; resolves once every matching target has been called. */
  async put(event: unknown): Promise<Delivery[]> {
    const eventId = isPlainObject(event) && typeof event.id === 'string' ? event.id : undefined;
    const pending: Array<Promise<Delivery>> = [];
    for (const { rule, name } of this.enabled().filter((r) => r.matches(event))) {
      for (const target of rule.Targets ?? []) {
        pending.push(this.deliverOne(event, eventId, rule, name, target));
      }
    }
    const done = await Promise.all(pending);
    this.recorded.push(...done);
    return done;
  }

  private enabled(): CompiledRule[] {
    // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is enabled too; absent State means ENABLED.
    return this.rules.filter((r) => (r.rule.State ?? 'ENABLED').startsWith('ENABLED'));
  }

  private async deliverOne(
    event: unknown,
    eventId: string | undefined,
    rule: EventRule,
    name: string,
    target: RuleTarget,
  ): Promise<Delivery> {
    const base = {
      eventId,
      ruleLogicalId: rule.logicalId,
      ruleArn: rule.arn,
      targetId: target.Id,
      targetArn: target.Arn,
      roleArn: target.RoleArn,
      deadLetterArn: target.DeadLetterConfig?.Arn,
    };
    let input: TargetInput;
    try {
      input = renderTargetInput(target, event, { ruleArn: rule.arn, ruleName: name });
    } catch (error) {
      return { ...base, ok: false, error: (error as Error).message };
    }
    try {
      const result = await this.deliver(target.Arn, input, target.RoleArn, {
        rule: { logicalId: rule.logicalId, arn: rule.arn, name },
        targetId: target.Id,
        event,
        deadLetterArn: target.DeadLetterConfig?.Arn,
      });
      return { ...base, input, ok: true, ...(result === undefined ? {} : { result }) };
    } catch (error) {
      return { ...base, input, ok: false, error: (error as Error).message };
    }
  }
}

function onBus(rule: EventRule, busName: string): boolean {
  const bus = rule.EventBusName ?? 'default';
  return bus === busName || bus.endsWith(`:event-bus/${busName}`);
}

function ruleName(arn: string): string {
  const match = /:rule\/(?:[^/]+\/)?([^/]+)$/.exec(arn);
  if (!match) throw new Error(`'${arn}' is not a rule ARN (arn:aws:events:<region>:<account>:rule/<name>)`);
  return match[1]!;
}

/** A CloudFormation template, as far as the rules need it. */
export interface TemplateWithResources {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
}

/**
 * The template's AWS::Events::Rule resources, with `resolve` (the caller's intrinsic resolver:
 * Ref, Fn::GetAtt, Fn::Join, ... to the rehearsal's physical values) applied to the properties
 * and to `Fn::GetAtt [rule, Arn]` for the rule's ARN.
 */
export function rulesFromTemplate(
  template: TemplateWithResources,
  resolve: (value: unknown) => unknown,
): EventRule[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .map(([logicalId, resource]) => {
      const properties = resolve(resource.Properties ?? {});
      const arn = resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] });
      if (!isPlainObject(properties) || typeof arn !== 'string') {
        throw new Error(
          `rule ${logicalId}: the resolver must give an object for Properties and a string ARN`,
        );
      }
      return { ...(properties as Omit<EventRule, 'logicalId' | 'arn'>), logicalId, arn };
    });
}
