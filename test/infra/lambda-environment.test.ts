import { describe, expect, it } from 'vitest';
import {
  checkEnvironmentSize,
  environmentBytes,
  LAMBDA_ENVIRONMENT_LIMIT_BYTES,
} from '../../infra/lambda-environment';
import { type ConnectionInput, defineConfig } from '../../src/config';
import { defineJob } from '../../src/job/define-job';
import { resourcesOfType, synthesize } from './support/synth';

/** Twelve Aurora PostgreSQL connections, each with a replica and a lag alarm: the big case. */
function twelveConnections(): Record<string, ConnectionInput> {
  const out: Record<string, ConnectionInput> = {};
  for (let i = 1; i <= 12; i++) {
    out[`orders${i}`] = {
      engine: 'postgres',
      host: `orders-${i}.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com`,
      database: `orders_${i}`,
      auth: { secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:lowtide/orders-${i}-AbCdEf` },
      replicas: [
        {
          name: `orders-${i}-reader-1`,
          host: `orders-${i}-reader-1.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com`,
        },
      ],
      lagAlarm: { service: 'aurora', replicaInstanceIds: [`orders-${i}-reader-1`] },
    };
  }
  return out;
}

const job = defineJob({
  id: 'purge-orders-1',
  owner: 'orders',
  description: 'Purge old orders',
  engine: 'postgres',
  database: 'orders1',
  kind: 'delete',
  table: 'orders',
  key: 'id',
  where: "created_at < now() - interval '3 years'",
});

/** The bytes Lambda counts; the control table's name (a Ref) counted at its 255-character maximum. */
function templateEnvironmentBytes(variables: Record<string, unknown>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(variables)) {
    bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 255);
  }
  return bytes;
}

describe("each function's environment", () => {
  it("stays under Lambda's 4 KB with twelve connections (they travel in the bundle)", () => {
    const config = defineConfig({ name: 'twelve', connections: twelveConnections(), jobs: [{ job }] });
    const synth = synthesize(config, { bundle: false });
    try {
      const functions = resourcesOfType(synth.template, 'AWS::Lambda::Function');
      expect(functions).toHaveLength(10);
      for (const [id, fn] of functions) {
        const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
        const bytes = templateEnvironmentBytes(variables);
        expect({ id, under: bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES }).toEqual({ id, under: true });
        expect(Object.keys(variables)).not.toContain('LOWTIDE_CONNECTIONS');
      }
    } finally {
      synth.cleanup();
    }
  });

  it('is refused at synth over 4 KB, with the figure and the largest variables', () => {
    const env = { SMALL: 'x', BIG: 'y'.repeat(4100) };
    expect(environmentBytes(env)).toBe(5 + 1 + 3 + 4100);
    expect(() => checkEnvironmentSize('preflight', env)).toThrow(
      "function preflight: its environment takes 4109 bytes, over Lambda's 4096-byte limit for all variables together (largest: BIG 4103 B, SMALL 6 B)",
    );
    expect(() => checkEnvironmentSize('preflight', { A: 'b' })).not.toThrow();
  });
});
