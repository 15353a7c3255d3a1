import { randomUUID } from 'node:crypto';
import type { LocalService, Permission, ServiceRequest } from './service';
import { stringField } from './service';
import { AwsError, type WireResponse } from './wire';

/** The deployed configuration of each profile, by `<application>/<environment>/<profile>`. */
export interface FlagDocuments {
  /** The document and its version; undefined when nothing is deployed there. */
  current(profileKey: string): { readonly document: unknown; readonly version: number } | undefined;
}

interface Session {
  readonly profileKey: string;
  /** The version this session's client last received (0: none yet). */
  readonly seen: number;
}

/**
 * AWS AppConfig Data (restJson1): StartConfigurationSession hands a single-use token for one
 * profile; GetLatestConfiguration spends it, answers the next token and the poll interval in
 * headers and the configuration as the body, empty when the client already has that version
 * ("Retrieving feature flags and configuration data in AWS AppConfig", AWS AppConfig User Guide).
 * Both are authorized on the profile's configuration ARN
 * (`application/<app>/environment/<env>/configuration/<profile>`), as IAM evaluates them.
 */
export class LocalAppConfigData implements LocalService {
  readonly signingName = 'appconfig';
  readonly protocol = { kind: 'rest-json' } as const;
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly flags: FlagDocuments | undefined,
    /** `arn:aws:appconfig:<region>:<account>:` */
    private readonly arnPrefix: string,
    /**
     * NextPollIntervalInSeconds. AppConfig answers at least 15; the rehearsal answers 0 so that a
     * warm function sees a flip at its next read instead of one poll interval later, which would
     * make the scenarios wait on time (the reader's caching is unit-tested with a fake clock).
     */
    private readonly pollIntervalSeconds = 0,
  ) {}

  private profileOf(request: ServiceRequest): string {
    if (request.operation === 'StartConfigurationSession') {
      const app = stringField(request.input, 'ApplicationIdentifier');
      const env = stringField(request.input, 'EnvironmentIdentifier');
      const profile = stringField(request.input, 'ConfigurationProfileIdentifier');
      if (!app || !env || !profile)
        throw new AwsError('BadRequestException', 'application, environment and profile are required');
      return `${app}/${env}/${profile}`;
    }
    if (request.operation === 'GetLatestConfiguration') {
      const token = stringField(request.input, 'configuration_token');
      const session = token ? this.sessions.get(token) : undefined;
      if (!session)
        throw new AwsError(
          'BadRequestException',
          'Request parameter ConfigurationToken is invalid or expired',
        );
      return session.profileKey;
    }
    throw new AwsError(
      'UnknownOperationException',
      `the rehearsal's AppConfig Data endpoint does not emulate ${request.operation}`,
    );
  }

  permissions(request: ServiceRequest): Permission[] {
    const [app, env, profile] = this.profileOf(request).split('/');
    const resource = `${this.arnPrefix}application/${app}/environment/${env}/configuration/${profile}`;
    return [{ action: `appconfig:${request.operation}`, resource }];
  }

  private issue(profileKey: string, seen: number): string {
    const token = randomUUID();
    this.sessions.set(token, { profileKey, seen });
    return token;
  }

  async serve(request: ServiceRequest): Promise<WireResponse> {
    const profileKey = this.profileOf(request);
    const requestId = randomUUID();
    if (request.operation === 'StartConfigurationSession') {
      if (!this.flags?.current(profileKey))
        throw new AwsError('ResourceNotFoundException', `nothing is deployed to ${profileKey}`, 404);
      return {
        status: 201,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ InitialConfigurationToken: this.issue(profileKey, 0) }),
      };
    }
    const token = stringField(request.input, 'configuration_token')!;
    const session = this.sessions.get(token)!;
    this.sessions.delete(token); // single use
    const current = this.flags?.current(profileKey);
    const version = current?.version ?? session.seen;
    const fresh = current !== undefined && current.version !== session.seen;
    return {
      status: 200,
      headers: {
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        'next-poll-configuration-token': this.issue(profileKey, version),
        'next-poll-interval-in-seconds': String(this.pollIntervalSeconds),
        ...(fresh ? { 'version-label': String(version) } : {}),
      },
      body: fresh ? JSON.stringify(current.document) : '',
    };
  }
}
