import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FlagDocuments, LocalAppConfigData } from './appconfig-data';
import { LocalDynamoDb, type TableDefinition } from './dynamodb';
import { explainIam, type PolicyDocument } from './iam';
import type { LocalService, ServiceRequest } from './service';
import {
  type AlarmSource,
  type FreeStorageSource,
  LocalCloudWatch,
  LocalSecretsManager,
  LocalSns,
  LocalStepFunctions,
  type PublishedMessage,
  type StepFunctionsRunner,
} from './services';
import { parseAuthorization, verifySignature } from './sigv4';
import { AwsError, errorResponse, type WireProtocol, type WireResponse } from './wire';

export type { PolicyDocument } from './iam';

export interface LocalAwsOptions {
  readonly region: string;
  readonly accountId: string;
  /** role logical id -> its identity policies (resolved) */
  readonly roles: Readonly<Record<string, readonly PolicyDocument[]>>;
  /** DynamoDB tables to create in dynalite, from the template's KeySchema/AttributeDefinitions/GSIs */
  readonly tables: readonly TableDefinition[];
  /** Secrets Manager: secret ARN -> SecretString (an RDS-style secret JSON) */
  readonly secrets: Readonly<Record<string, string>>;
  /** Step Functions API calls made by functions, delegated to the rehearsal's state-machine runner */
  readonly stepFunctions?: StepFunctionsRunner;
  /** CloudWatch DescribeAlarms answers (the rehearsal sets alarm states) */
  readonly alarms?: AlarmSource;
  /** CloudWatch GetMetricData answers for FreeStorageSpace (the rehearsal sets the free bytes) */
  readonly freeStorage?: FreeStorageSource;
  /** AppConfig's deployed feature-flag documents (the rehearsal flips the flags) */
  readonly flags?: FlagDocuments;
  /** SNS topics by ARN with their resource policies; when given, Publish to any other topic is NotFound. */
  readonly topics?: Readonly<Record<string, { resourcePolicy?: PolicyDocument }>>;
}

export interface CallRecord {
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
}

export interface LocalAws {
  readonly endpointUrl: string;
  credentialsFor(roleLogicalId: string): {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
  };
  /** The principal ARN a role's calls are evaluated as. */
  principalFor(roleLogicalId: string): string;
  readonly published: readonly PublishedMessage[];
  readonly denied: readonly { role: string; action: string; resource: string; reason: string }[];
  readonly calls: readonly CallRecord[];
  /** Requests for operations the endpoint does not emulate (answered UnknownOperationException). */
  readonly unsupported: readonly { role: string; service: string; operation: string }[];
  /** Replaces a secret's value, as a rotation does. */
  putSecret(arn: string, secretString: string): void;
  /** dynalite's own endpoint, for the rehearsal to read control state without IAM. */
  readonly dynamoEndpoint: string;
  close(): Promise<void>;
}

interface IssuedCredentials {
  readonly role: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

const JSON_TARGETS: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  secretsmanager: 'secretsmanager',
  GraniteServiceVersion20100801: 'monitoring',
  AWSStepFunctions: 'states',
};

/**
 * One HTTP endpoint on 127.0.0.1 for every AWS service the functions call. The SDK in a function
 * reaches it through AWS_ENDPOINT_URL; the caller is known from the SigV4 access key id (one per
 * role, from credentialsFor), the signature is checked, and each request's IAM action and
 * resource ARN are evaluated against that role's policies before the request is served.
 */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const { region, accountId } = options;
  const dynamodb = await LocalDynamoDb.start(region, accountId, options.tables);
  const secrets = new LocalSecretsManager(
    options.secrets,
    `arn:aws:secretsmanager:${region}:${accountId}:secret:`,
  );
  const sns = new LocalSns(options.topics);
  const services = new Map<string, LocalService>(
    [
      dynamodb,
      secrets,
      new LocalCloudWatch(
        options.alarms,
        `arn:aws:cloudwatch:${region}:${accountId}:alarm:`,
        options.freeStorage,
      ),
      new LocalAppConfigData(options.flags, `arn:aws:appconfig:${region}:${accountId}:`),
      sns,
      new LocalStepFunctions(options.stepFunctions),
    ].map((service) => [service.signingName, service]),
  );

  const issued = new Map<string, IssuedCredentials>();
  const byRole = new Map<string, IssuedCredentials>();
  const calls: CallRecord[] = [];
  const denied: { role: string; action: string; resource: string; reason: string }[] = [];
  const unsupported: { role: string; service: string; operation: string }[] = [];
  const principalFor = (role: string) => `arn:aws:sts::${accountId}:assumed-role/${role}/rehearsal`;

  async function handle(
    raw: ServiceRequest['raw'],
  ): Promise<{ protocol: WireProtocol; response: WireResponse }> {
    const auth = parseAuthorization(raw.headers.authorization);
    const target = String(raw.headers['x-amz-target'] ?? '');
    const signingName = auth?.service ?? JSON_TARGETS[target.split('.')[0]] ?? 'sns';
    const service = services.get(signingName);
    if (!service) {
      const protocol: WireProtocol = { kind: 'json', version: '1.0' };
      const error = new AwsError('UnknownServiceException', `the rehearsal does not emulate ${signingName}`);
      return { protocol, response: errorResponse(protocol, error) };
    }
    const protocol = service.protocol;
    const fail = (error: AwsError) => ({ protocol, response: errorResponse(protocol, error) });

    const caller = auth ? issued.get(auth.accessKeyId) : undefined;
    if (!auth || !caller) {
      return fail(
        new AwsError(
          protocol.kind === 'query' ? 'InvalidClientTokenId' : 'UnrecognizedClientException',
          'The security token included in the request is invalid.',
          protocol.kind === 'query' ? 403 : 400,
        ),
      );
    }
    if (!verifySignature(auth, raw, caller.secretAccessKey)) {
      return fail(
        new AwsError(
          protocol.kind === 'query' ? 'SignatureDoesNotMatch' : 'InvalidSignatureException',
          'The request signature we calculated does not match the signature you provided.',
          protocol.kind === 'query' ? 403 : 400,
        ),
      );
    }

    let operation = '';
    try {
      const request = parseRequest(protocol, target, raw);
      operation = request.operation;
      const permissions = service.permissions(request);
      const principal = principalFor(caller.role);
      for (const permission of permissions) {
        const decision = await explainIam(options.roles[caller.role] ?? [], {
          action: permission.action,
          resource: permission.resource,
          resourcePolicy: permission.resourcePolicy,
          principal,
          // What AWS knows of a call from a Lambda function: over TLS, in this region, by this role.
          context: {
            'aws:SecureTransport': 'true',
            'aws:RequestedRegion': region,
            'aws:PrincipalAccount': accountId,
            'aws:PrincipalArn': `arn:aws:iam::${accountId}:role/${caller.role}`,
            'aws:CurrentTime': new Date().toISOString(),
          },
        });
        calls.push({
          role: caller.role,
          action: permission.action,
          resource: permission.resource,
          allowed: decision.allowed,
        });
        if (!decision.allowed) {
          denied.push({
            role: caller.role,
            action: permission.action,
            resource: permission.resource,
            reason: decision.reason,
          });
          return fail(
            accessDenied(service, principal, permission.action, permission.resource, decision.reason),
          );
        }
      }
      return { protocol, response: await service.serve(request) };
    } catch (error) {
      if (error instanceof AwsError) {
        if (error.code === 'UnknownOperationException') {
          unsupported.push({ role: caller.role, service: signingName, operation });
        }
        return fail(error);
      }
      return fail(new AwsError('InternalFailure', String(error), 500, 'InternalFailure', 'Receiver'));
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = {
        method: req.method ?? 'POST',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      handle(raw).then(
        ({ response }) => res.writeHead(response.status, response.headers).end(response.body),
        (error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpointUrl,
    dynamoEndpoint: dynamodb.endpoint,
    published: sns.published,
    denied,
    calls,
    unsupported,
    principalFor,
    putSecret: (arn, value) => secrets.put(arn, value),
    credentialsFor(role) {
      if (!(role in options.roles)) {
        throw new Error(
          `no role ${role} in the rehearsal's roles (${Object.keys(options.roles).join(', ')})`,
        );
      }
      const known = byRole.get(role);
      if (known) return { ...known };
      const credentials: IssuedCredentials = {
        role,
        // Temporary credentials as a role session hands them out: ASIA key ids with a session token.
        accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
        secretAccessKey: randomBytes(30).toString('base64'),
        sessionToken: randomBytes(48).toString('base64'),
      };
      issued.set(credentials.accessKeyId, credentials);
      byRole.set(role, credentials);
      const { accessKeyId, secretAccessKey, sessionToken } = credentials;
      return { accessKeyId, secretAccessKey, sessionToken };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dynamodb.close();
    },
  };
}

/** restJson1 operations by method and path (only AppConfig Data's, the one REST service emulated). */
const REST_OPERATIONS: Record<string, string> = {
  'POST /configurationsessions': 'StartConfigurationSession',
  'GET /configuration': 'GetLatestConfiguration',
};

function parseRequest(protocol: WireProtocol, target: string, raw: ServiceRequest['raw']): ServiceRequest {
  const text = raw.body.toString('utf8');
  if (protocol.kind === 'rest-json') {
    const url = new URL(raw.url, 'http://rehearsal');
    const operation = REST_OPERATIONS[`${raw.method} ${url.pathname}`] ?? `${raw.method} ${url.pathname}`;
    let input: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (text !== '') {
      try {
        input = { ...input, ...(JSON.parse(text) as Record<string, unknown>) };
      } catch {
        throw new AwsError('BadRequestException', 'the request body is not JSON');
      }
    }
    return { operation, input, raw };
  }
  if (protocol.kind === 'query') {
    const input = Object.fromEntries(new URLSearchParams(text));
    return { operation: input.Action ?? '', input, raw };
  }
  let input: Record<string, unknown> = {};
  try {
    input = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    throw new AwsError('SerializationException', 'the request body is not JSON');
  }
  return { operation: target.split('.').slice(1).join('.'), input, raw };
}

/** AccessDenied as each service answers it, with the message IAM gives ("Troubleshoot access denied error messages", IAM User Guide). */
function accessDenied(
  service: LocalService,
  principal: string,
  action: string,
  resource: string,
  reason: string,
): AwsError {
  const message = `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because ${reason}`;
  switch (service.signingName) {
    case 'sns':
      // SNS names its denial AuthorizationError (AuthorizationErrorException in the SDK).
      return new AwsError('AuthorizationError', message, 403, 'AuthorizationError');
    case 'monitoring':
      // CloudWatch's awsQuery code for a denial is AccessDenied; query-compatible clients use it.
      return new AwsError('AccessDeniedException', message, 400, 'AccessDenied');
    default:
      return new AwsError('AccessDeniedException', message, 400);
  }
}
