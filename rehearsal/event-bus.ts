import { type DeliverToTarget, type Delivery, LocalEventBus } from './events/bus';
import type { DeployedRule } from './template/deployment';

/**
 * The default event bus of the rehearsal's account with the template's rules, and a way to wait
 * until every event put so far has reached its targets (the scenarios wait on that, not on time).
 */
export class EventBus {
  private readonly bus: LocalEventBus;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(rules: readonly DeployedRule[], deliver: DeliverToTarget) {
    this.bus = new LocalEventBus(
      rules.map((rule) => ({
        logicalId: rule.logicalId,
        arn: rule.arn,
        EventPattern: rule.eventPattern,
        State: rule.enabled ? 'ENABLED' : 'DISABLED',
        Targets: rule.targets,
      })),
      deliver,
    );
  }

  get deliveries(): readonly Delivery[] {
    return this.bus.deliveries;
  }

  /** Puts an event; resolves with its deliveries once every matching target has been called. */
  put(event: unknown): Promise<Delivery[]> {
    const delivered = this.bus.put(event);
    this.pending.add(delivered);
    const forget = () => this.pending.delete(delivered);
    delivered.then(forget, forget);
    return delivered;
  }

  /** Resolves when no delivery is in flight, including those that deliveries caused. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
