// A function that calls AWS the way lowtide's functions do: clients built with a region only, so the
// endpoint can come from nothing but the environment.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const region = process.env.AWS_REGION;
const dynamo = new DynamoDBClient({ region });
const secrets = new SecretsManagerClient({ region });

export async function handler(event: { pk: string }) {
  await dynamo.send(
    new PutItemCommand({ TableName: process.env.TABLE, Item: { pk: { S: event.pk }, sk: { S: 'fn' } } }),
  );
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ARN }));
  return { stored: event.pk, password: JSON.parse(secret.SecretString ?? '{}').password };
}
