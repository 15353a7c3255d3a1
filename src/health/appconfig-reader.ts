import {
  type AppConfigDataClient,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import type { FeatureFlagRef } from '../job/feature-flag';
import { flagFromDocument } from './flag-state';
import type { FlagReader } from './types';

/** AppConfig's floor for RequiredMinimumPollIntervalInSeconds (StartConfigurationSession, AWS AppConfig Data API Reference). */
export const APPCONFIG_MIN_POLL_SECONDS = 15;

interface Session {
  token: string;
  /** Epoch ms before which the cached document is used without asking AppConfig. */
  nextPollAt: number;
  document?: unknown;
}

function profileKey(ref: FeatureFlagRef): string {
  return `${ref.application}/${ref.environment}/${ref.profile}`;
}

/**
 * Feature flags from AWS AppConfig through its data API, as "Retrieving feature flags and
 * configuration data in AWS AppConfig" (AWS AppConfig User Guide) describes: one session per
 * configuration profile (StartConfigurationSession), then GetLatestConfiguration with the session's
 * token, each answer handing the next token and the interval to wait before the next poll. The
 * configuration and the token are kept for the life of the (warm) Lambda container: until the
 * interval is over every read answers from the cached document, and an answer with an empty
 * configuration means "unchanged since your last poll". A failed poll drops the session (a token
 * is single-use and lasts 24 hours), so the next read starts afresh; the caller counts the failed
 * read as off. IAM: appconfig:StartConfigurationSession and appconfig:GetLatestConfiguration on
 * the profile's configuration ARN.
 */
export function appConfigFlagReader(
  client: Pick<AppConfigDataClient, 'send'>,
  now: () => number = Date.now,
): FlagReader {
  const sessions = new Map<string, Session>();
  // Reads of one profile are chained: two polls must never spend the same single-use token.
  const inFlight = new Map<string, Promise<unknown>>();

  async function latestDocument(ref: FeatureFlagRef): Promise<unknown> {
    const key = profileKey(ref);
    let session = sessions.get(key);
    if (!session) {
      const started = await client.send(
        new StartConfigurationSessionCommand({
          ApplicationIdentifier: ref.application,
          EnvironmentIdentifier: ref.environment,
          ConfigurationProfileIdentifier: ref.profile,
          RequiredMinimumPollIntervalInSeconds: APPCONFIG_MIN_POLL_SECONDS,
        }),
      );
      if (!started.InitialConfigurationToken) throw new Error(`AppConfig started no session for ${key}`);
      session = { token: started.InitialConfigurationToken, nextPollAt: 0 };
      sessions.set(key, session);
    }
    if (now() >= session.nextPollAt) {
      try {
        const latest = await client.send(
          new GetLatestConfigurationCommand({ ConfigurationToken: session.token }),
        );
        if (!latest.NextPollConfigurationToken) throw new Error(`AppConfig gave no next token for ${key}`);
        session.token = latest.NextPollConfigurationToken;
        session.nextPollAt = now() + (latest.NextPollIntervalInSeconds ?? APPCONFIG_MIN_POLL_SECONDS) * 1000;
        if (latest.Configuration && latest.Configuration.length > 0)
          session.document = JSON.parse(new TextDecoder().decode(latest.Configuration));
      } catch (error) {
        sessions.delete(key);
        throw error;
      }
    }
    if (session.document === undefined) throw new Error(`AppConfig has no deployed configuration for ${key}`);
    return session.document;
  }

  return {
    async isEnabled(ref) {
      const key = profileKey(ref);
      const before = inFlight.get(key) ?? Promise.resolve();
      const reading = before.catch(() => undefined).then(() => latestDocument(ref));
      inFlight.set(key, reading);
      const document = await reading;
      return flagFromDocument(document, ref.flag, `AppConfig profile ${key}`);
    },
  };
}
