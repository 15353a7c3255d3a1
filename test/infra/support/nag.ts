import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface Finding {
  readonly rule: string;
  readonly paths: readonly string[];
}

/** cdk-nag's AwsSolutions findings on the tree, as the synth's validation plugin sees them. */
export function nagFindings(root: IConstruct, options: { ignoreAcknowledgements?: boolean } = {}): Finding[] {
  const pack = new AwsSolutionsChecks(root);
  if (options.ignoreAcknowledgements) {
    // What the rules find before any acknowledgement: the baseline each acknowledgement must match.
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  }
  return pack.validateScope(root).violations.map((v) => ({
    rule: v.ruleName,
    paths: v.violatingResources.map((r) => r.constructPath ?? ''),
  }));
}

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every `Validations.of(x).acknowledge(...)` in the tree, with the construct it sits on. */
export function acknowledgements(root: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualified, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: node.node.path, id: qualified.replace(/^[A-Za-z]+::/, ''), reason });
      }
    }
  }
  return out;
}

/**
 * Test-only roles (an operator, a viewer) get grants with execution-ARN wildcards that a real
 * deployment reviews in its own stack; acknowledge exactly what they raise so the synth can run.
 */
export function acknowledgeTestRoles(...roles: IConstruct[]): void {
  for (const role of roles) {
    for (const finding of nagFindings(role, { ignoreAcknowledgements: true })) {
      Validations.of(role).acknowledge({
        id: finding.rule,
        reason: 'test-only role exercising the grant methods; not part of the deployment',
      });
    }
  }
}
