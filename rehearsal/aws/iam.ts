import {
  getDenialReasons,
  type RequestDenial,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
} from '@cloud-copilot/iam-simulate';

/** An IAM policy document with every intrinsic resolved. */
export interface PolicyDocument {
  Version?: string;
  Statement: unknown[];
}

export interface IamDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

export interface IamRequest {
  /** service:Action, e.g. dynamodb:UpdateItem. */
  action: string;
  /** The resource ARN the action is on, or "*" for actions without a resource type. */
  resource: string;
  context?: Record<string, string | string[]>;
  resourcePolicy?: PolicyDocument;
  /** The calling principal's ARN (for a role's session: arn:aws:sts::<account>:assumed-role/<role>/<session>). */
  principal?: string;
}

const DEFAULT_PRINCIPAL_ACCOUNT = '000000000000';

function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

function simulationFor(policies: readonly PolicyDocument[], request: IamRequest): Simulation {
  const principal = request.principal ?? `arn:aws:iam::${DEFAULT_PRINCIPAL_ACCOUNT}:role/rehearsal`;
  return {
    identityPolicies: policies.map((policy, index) => ({ name: `policy-${index + 1}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
    request: {
      principal,
      action: request.action,
      resource: {
        resource: request.resource,
        // The owner of a resource without an account in its ARN (or "*") is the caller's account.
        accountId: accountOf(request.resource) ?? accountOf(principal) ?? DEFAULT_PRINCIPAL_ACCOUNT,
      },
      contextVariables: request.context ?? {},
    },
  };
}

function describeDenials(denials: RequestDenial[]): string {
  if (denials.length === 0) return 'no policy allows it';
  return denials
    .map((denial) => {
      const kind = denial.policyType === 'identity' ? 'identity-based' : denial.policyType;
      if (denial.denialType === 'Explicit') {
        const statement = denial.statementId ?? `statement ${denial.statementIndex}`;
        return `an explicit deny in the ${kind} policy (${statement})`;
      }
      return `no ${kind} policy allows it`;
    })
    .join('; ');
}

/**
 * Decides one request against a principal's identity policies (and the resource's policy, if it
 * has one) with @cloud-copilot/iam-simulate's evaluation engine. Synchronous: the engine without
 * its input validation; use explainIam to also check the action and ARN against IAM's data.
 */
export function evaluateIam(policies: readonly PolicyDocument[], request: IamRequest): IamDecision {
  const simulation = simulationFor(policies, request);
  if (simulation.resourcePolicy) {
    // The unvalidated path reads the resource policy's name from its metadata, which only a
    // ValidatedPolicy (a plain-value envelope of @cloud-copilot/iam-policy) carries.
    simulation.resourcePolicy = {
      __validated: true,
      policyDocument: simulation.resourcePolicy,
      metadata: { name: 'resource-policy' },
      errors: [],
    };
  }
  const result = runUnsafeSimulation(simulation, { simulationMode: 'Strict' });
  if (result === 'Allowed') return { allowed: true, reason: 'allowed' };
  return {
    allowed: false,
    reason: result === 'ExplicitlyDenied' ? 'an explicit deny applies' : 'no policy allows it',
  };
}

/**
 * evaluateIam with the simulator's validation: an unknown action, a resource ARN that is not one of
 * the action's resource types, or a malformed policy is refused with what is wrong, and a denial
 * says which policy decided it.
 */
export async function explainIam(
  policies: readonly PolicyDocument[],
  request: IamRequest,
): Promise<IamDecision> {
  const response = await runSimulation(simulationFor(policies, request), { simulationMode: 'Strict' });
  if (response.resultType === 'error') {
    return { allowed: false, reason: `the request cannot be evaluated: ${response.errors.message}` };
  }
  if (response.overallResult === 'Allowed') return { allowed: true, reason: 'allowed' };
  const analyses =
    response.resultType === 'single' ? [response.result.analysis] : response.results.map((r) => r.analysis);
  const reason = analyses
    .filter((analysis) => analysis && analysis.result !== 'Allowed')
    .map((analysis) => describeDenials(getDenialReasons(analysis)))
    .join('; ');
  return { allowed: false, reason: reason || 'no policy allows it' };
}
