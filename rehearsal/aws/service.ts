import type { IncomingHttpHeaders } from 'node:http';
import type { PolicyDocument } from './iam';
import type { WireProtocol, WireResponse } from './wire';

export interface ServiceRequest {
  /** The operation: X-Amz-Target's suffix (JSON) or the Action parameter (awsQuery). */
  readonly operation: string;
  /** The parsed JSON body, or the awsQuery form parameters. */
  readonly input: Record<string, unknown>;
  readonly raw: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer };
}

/** One IAM check a request needs: AWS authorizes some operations once per resource they touch. */
export interface Permission {
  readonly action: string;
  readonly resource: string;
  readonly resourcePolicy?: PolicyDocument;
}

export interface LocalService {
  /** SigV4 signing name, as in the Authorization header's credential scope. */
  readonly signingName: string;
  readonly protocol: WireProtocol;
  /** What IAM must allow before the request is served; throws AwsError for an operation not emulated. */
  permissions(request: ServiceRequest): Permission[];
  serve(request: ServiceRequest): Promise<WireResponse>;
}

export function stringField(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' ? value : undefined;
}
