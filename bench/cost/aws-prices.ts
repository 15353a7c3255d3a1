/**
 * AWS list prices the cost on paper uses. The bench does not fetch prices: these are constants,
 * with the region and the date they were read, so a reader knows how old they are. Free tiers are
 * ignored (a steady workload outgrows them).
 */
export const AWS_PRICES = {
  region: 'us-east-1',
  asOf: '2025-06',
  /** Step Functions Standard workflows, per state transition ($0.025 per 1,000). */
  stepFunctionsPerTransition: 0.000025,
  /** Lambda on Arm (Graviton), first pricing tier, per GB-second. */
  lambdaArmPerGbSecond: 0.0000133334,
  /** Lambda, per request ($0.20 per million). */
  lambdaPerRequest: 0.0000002,
  /** DynamoDB on-demand, per write request unit ($0.625 per million). */
  dynamoPerWriteUnit: 0.000000625,
  /** DynamoDB on-demand, per read request unit ($0.125 per million). */
  dynamoPerReadUnit: 0.000000125,
} as const;

export type AwsPrices = typeof AWS_PRICES;
