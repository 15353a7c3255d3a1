/**
 * Builds an UpdateItem's expressions. Attribute names are the store's own constants, always passed
 * as `#name` placeholders; every value is a `:v` placeholder. Nothing a caller supplies is ever
 * part of the expression text.
 */
export class UpdateExpression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly adds: string[] = [];
  private readonly conditions: string[] = [];
  private counter = 0;

  /** The placeholder of one of the store's attribute names. */
  name(attribute: string): string {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(attribute))
      throw new Error(`not a control-table attribute: ${attribute}`);
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.counter++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  set(attribute: string, value: unknown): this {
    this.sets.push(`${this.name(attribute)} = ${this.value(value)}`);
    return this;
  }

  /** Writes `value` only where the attribute is missing (first write of an item). */
  setIfMissing(attribute: string, value: unknown): this {
    const n = this.name(attribute);
    this.sets.push(`${n} = if_not_exists(${n}, ${this.value(value)})`);
    return this;
  }

  /** `attribute = source + step`, with a missing source counted as 0; reads the item's old value. */
  setIncremented(attribute: string, source: string, step: number): this {
    const s = this.name(source);
    this.sets.push(`${this.name(attribute)} = if_not_exists(${s}, ${this.value(0)}) + ${this.value(step)}`);
    return this;
  }

  /** Sets the attribute, or removes it when the value is undefined. */
  setOrRemove(attribute: string, value: unknown): this {
    return value === undefined ? this.remove(attribute) : this.set(attribute, value);
  }

  remove(attribute: string): this {
    this.removes.push(this.name(attribute));
    return this;
  }

  add(attribute: string, step: number): this {
    this.adds.push(`${this.name(attribute)} ${this.value(step)}`);
    return this;
  }

  /** Conditions are ANDed; each is wrapped in parentheses so an OR inside stays inside. */
  condition(expression: string): this {
    this.conditions.push(`(${expression})`);
    return this;
  }

  /** The parts of an UpdateCommand input. */
  build(): {
    UpdateExpression: string;
    ConditionExpression?: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    const clauses: string[] = [];
    if (this.sets.length > 0) clauses.push(`SET ${this.sets.join(', ')}`);
    if (this.removes.length > 0) clauses.push(`REMOVE ${this.removes.join(', ')}`);
    if (this.adds.length > 0) clauses.push(`ADD ${this.adds.join(', ')}`);
    return {
      UpdateExpression: clauses.join(' '),
      ...(this.conditions.length > 0 ? { ConditionExpression: this.conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}
