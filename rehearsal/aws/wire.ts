import { randomUUID } from 'node:crypto';

/** How a service's SDK client talks to it in the installed SDK version. */
export type WireProtocol =
  | { kind: 'json'; version: '1.0' | '1.1'; queryCompatible?: boolean }
  | { kind: 'query'; xmlNamespace: string }
  /** REST with JSON bodies (restJson1): the operation is the method and path, errors name themselves in a header. */
  | { kind: 'rest-json' };

export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

/** An error as the service would answer it: its code for JSON (__type) and, where it differs, for awsQuery. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly queryCode = code,
    readonly fault: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

/** Dates become epoch seconds, as the JSON protocols carry timestamps. */
function toWireValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWireValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWireValue(v)]));
  }
  return value;
}

export function jsonResponse(protocol: WireProtocol & { kind: 'json' }, output: unknown): WireResponse {
  return {
    status: 200,
    headers: {
      'content-type': `application/x-amz-json-${protocol.version}`,
      'x-amzn-requestid': randomUUID(),
    },
    body: JSON.stringify(toWireValue(output)),
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<OperationResponse><OperationResult>...</OperationResult>` for awsQuery; fields are flat strings. */
export function queryResponse(
  protocol: WireProtocol & { kind: 'query' },
  operation: string,
  result: Record<string, string>,
): WireResponse {
  const fields = Object.entries(result)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  const requestId = randomUUID();
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<${operation}Response xmlns="${protocol.xmlNamespace}"><${operation}Result>${fields}</${operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

export function errorResponse(protocol: WireProtocol, error: AwsError): WireResponse {
  const requestId = randomUUID();
  if (protocol.kind === 'rest-json') {
    return {
      status: error.status,
      headers: {
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': error.code,
      },
      body: JSON.stringify({ message: error.message }),
    };
  }
  if (protocol.kind === 'query') {
    return {
      status: error.status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body: `<ErrorResponse xmlns="${protocol.xmlNamespace}"><Error><Type>${error.fault}</Type><Code>${escapeXml(error.queryCode)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  return {
    status: error.status,
    headers: {
      'content-type': `application/x-amz-json-${protocol.version}`,
      'x-amzn-requestid': requestId,
      // A service that moved from awsQuery to JSON still tells query-compatible clients the old code.
      ...(protocol.queryCompatible ? { 'x-amzn-query-error': `${error.queryCode};${error.fault}` } : {}),
    },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}
