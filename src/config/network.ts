import { z } from 'zod';

const vpcId = z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id, e.g. 'vpc-0123456789abcdef0'");
const subnetId = z
  .string()
  .regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id, e.g. 'subnet-0123456789abcdef0'");
const routeTableId = z
  .string()
  .regex(/^rtb-[0-9a-f]{8,17}$/, "must be a route table id, e.g. 'rtb-0123456789abcdef0'");
const securityGroupId = z
  .string()
  .regex(/^sg-[0-9a-f]{8,17}$/, "must be a security group id, e.g. 'sg-0123456789abcdef0'");
const availabilityZone = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "must be an availability zone, e.g. 'eu-west-1a'");

/**
 * The existing VPC the database-touching functions run in. Given as plain ids so synth needs no
 * AWS account (no context lookups). The subnets need a route to the databases and to DynamoDB,
 * Secrets Manager and CloudWatch: through a NAT gateway, existing endpoints, or `createEndpoints`.
 */
export const networkSchema = z
  .object({
    vpcId,
    /** The availability zones of `subnetIds`, in the same order. */
    availabilityZones: z.array(availabilityZone).min(1),
    /** Private subnets for the functions, one per availability zone (or a multiple thereof). */
    subnetIds: z.array(subnetId).min(1),
    /** Route tables of `subnetIds`, same order; needed only with `createEndpoints` (for the DynamoDB gateway). */
    routeTableIds: z.array(routeTableId).optional(),
    /** Security groups for the functions. Default: the stack creates one that only opens egress it needs. */
    securityGroupIds: z.array(securityGroupId).optional(),
    /** Create a DynamoDB gateway endpoint and Secrets Manager and CloudWatch interface endpoints. Default false. */
    createEndpoints: z.boolean().default(false),
  })
  .strict()
  .superRefine((network, ctx) => {
    if (network.subnetIds.length % network.availabilityZones.length !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['subnetIds'],
        message: `must hold one subnet per availability zone (${network.availabilityZones.length} zones, ${network.subnetIds.length} subnets)`,
      });
    }
    if (network.routeTableIds && network.routeTableIds.length !== network.subnetIds.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['routeTableIds'],
        message: `must hold one route table per subnet, in the same order (${network.subnetIds.length} subnets, ${network.routeTableIds.length} route tables)`,
      });
    }
    if (network.createEndpoints && !network.routeTableIds) {
      ctx.addIssue({
        code: 'custom',
        path: ['routeTableIds'],
        message:
          'is required with createEndpoints: the DynamoDB gateway endpoint is added to these route tables',
      });
    }
  });

export type NetworkInput = z.input<typeof networkSchema>;
export type Network = z.output<typeof networkSchema>;
