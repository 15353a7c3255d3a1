import { z } from 'zod';

/**
 * An AWS AppConfig feature flag that gates a job (or, as `config.featureFlag`, every job of a
 * deployment). The IAM grant names the configuration profile by its ARN, which AppConfig spells with
 * IDs ("Actions, resources, and condition keys for AWS AppConfig", Service Authorization Reference:
 * `application/<ApplicationId>/environment/<EnvironmentId>/configuration/<ConfigurationProfileId>`),
 * so the three must be IDs, not names: a name would read fine in the console and be refused here.
 * Locally only `flag` matters: it is looked up in the flags file or endpoint.
 */
const appConfigId = (what: string) =>
  z
    .string()
    .regex(
      /^[a-z0-9]{4,7}$/,
      `must be the AppConfig ${what} ID (4 to 7 lowercase letters or digits, e.g. 'abc1234'), not its name: the IAM grant names IDs`,
    );

export const featureFlagSchema = z
  .object({
    application: appConfigId('application'),
    environment: appConfigId('environment'),
    profile: appConfigId('configuration profile'),
    /** The flag's key in the feature-flag profile (`{ "<flag>": { "enabled": true } }`). */
    flag: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
        'must be a flag key: a letter, then letters, digits, _ or -, at most 64 characters',
      ),
  })
  .strict();

export type FeatureFlagRef = z.output<typeof featureFlagSchema>;
