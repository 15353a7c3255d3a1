/** Definition substitutions look like `${Name}`; Step Functions leaves an unknown one in place, silently. */
const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

export function aslPlaceholders(definition: string): string[] {
  return [...new Set([...definition.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/** The ASL file and the substitutions the app provides disagree: the definition would not run. */
export class AslSubstitutionError extends Error {
  override readonly name = 'AslSubstitutionError';
  constructor(
    readonly file: string,
    readonly missing: readonly string[],
    readonly unused: readonly string[],
  ) {
    const parts = [
      missing.length > 0
        ? `uses \${${missing.join('}, ${')}} which the CDK app does not provide (add the step to src/run/steps.ts or remove them from the file)`
        : '',
      unused.length > 0
        ? `does not use ${unused.join(', ')} (a renamed placeholder? the function would never be called)`
        : '',
    ].filter(Boolean);
    super(`${file} ${parts.join('; and ')}`);
  }
}

/** Throws unless every placeholder in the definition is provided and every provided one is used. */
export function checkSubstitutions(file: string, definition: string, provided: readonly string[]): void {
  const used = aslPlaceholders(definition);
  const missing = used.filter((name) => !provided.includes(name));
  const unused = provided.filter((name) => !used.includes(name)).sort();
  if (missing.length > 0 || unused.length > 0) throw new AslSubstitutionError(file, missing, unused);
}
