import type { LintReport } from '../../../ddl/lint';
import type { RuleInfo, Severity } from '../../../ddl/types';

// SARIF 2.1.0 (OASIS "Static Analysis Results Interchange Format Version 2.1.0"), the format
// GitHub code scanning uploads: one run, the rules in tool.driver.rules, each result pointing at
// its rule by id and index, with a physicalLocation region. Ignored findings stay in the log as
// results with an inSource suppression carrying the comment's reason (section 3.35).
const LEVEL: Record<Severity, string> = { block: 'error', warn: 'warning', note: 'note' };

export const SARIF_VERSION = '2.1.0';
const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json';

function ruleDescriptor(rule: RuleInfo) {
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.why },
    help: { text: rule.safeAlternative },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { engine: rule.engine, lock: rule.lock },
  };
}

/**
 * `rules` is the catalogue to describe; a finding whose rule is not in it (a bad ignore comment)
 * gets a descriptor made from the finding, so every result's ruleIndex points at a rule.
 */
export function renderSarif(
  reports: readonly LintReport[],
  rules: readonly RuleInfo[],
  toolVersion: string,
): string {
  const descriptors = rules.map(ruleDescriptor);
  const indexOf = new Map(rules.map((r, i) => [r.id, i]));
  const results: unknown[] = [];
  for (const report of reports) {
    const uri = (report.source ?? 'input').replace(/\\/g, '/');
    const findings = [
      ...report.findings.map((f) => ({ f, suppression: undefined })),
      ...report.ignored.map((f) => ({ f, suppression: f.ignored })),
    ];
    for (const { f, suppression } of findings) {
      if (!indexOf.has(f.rule)) {
        indexOf.set(f.rule, descriptors.length);
        descriptors.push({
          id: f.rule,
          name: f.rule,
          shortDescription: { text: f.rule },
          fullDescription: { text: f.why },
          help: { text: f.safeAlternative },
          defaultConfiguration: { level: LEVEL[f.severity] },
          properties: { engine: report.engine, lock: f.lock },
        });
      }
      results.push({
        ruleId: f.rule,
        ruleIndex: indexOf.get(f.rule),
        level: LEVEL[f.severity],
        message: { text: `${f.why} Instead: ${f.safeAlternative}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri },
              region: { startLine: f.line, startColumn: f.column },
            },
          },
        ],
        partialFingerprints: { 'lowtideStatement/v1': f.fingerprint },
        ...(suppression ? { suppressions: [{ kind: 'inSource', justification: suppression.reason }] } : {}),
      });
    }
  }
  const log = {
    $schema: SCHEMA,
    version: SARIF_VERSION,
    runs: [{ tool: { driver: { name: 'lowtide', version: toolVersion, rules: descriptors } }, results }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
