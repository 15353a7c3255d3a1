/** An operator's consent to run one dangerous statement as written: who gave it, and when. */
export interface ConsentRecord {
  readonly by: string;
  /** ISO 8601 timestamp (or a Date) of when the consent was recorded. */
  readonly at: string | Date;
}

/** Finds the consent recorded for a statement fingerprint (`ddl1-...`), if any. */
export type ConsentLookup = (fingerprint: string) => Promise<ConsentRecord | undefined>;

export function describeConsent(consent: ConsentRecord): string {
  const at = consent.at instanceof Date ? consent.at.toISOString() : consent.at;
  return `consented by ${consent.by} at ${at}`;
}

/**
 * Consents kept in memory, for the local runtime and tests. A deployed lowtide keeps them in the
 * control store, where they survive restarts and carry the same who-and-when.
 */
export class InMemoryConsents {
  private readonly consents = new Map<string, ConsentRecord>();

  record(fingerprint: string, by: string, at: Date = new Date()): ConsentRecord {
    if (!by.trim()) throw new Error('a consent must name the operator who gives it');
    const consent = { by, at: at.toISOString() };
    this.consents.set(fingerprint, consent);
    return consent;
  }

  readonly lookup: ConsentLookup = async (fingerprint) => this.consents.get(fingerprint);
}
