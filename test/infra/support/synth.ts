import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { type BuildAppOptions, buildApp } from '../../../infra/build-app';
import type { LowtideStack } from '../../../infra/lowtide-stack';
import type { LowtideConfig } from '../../../src/config';

export interface CfnStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
  Sid?: string;
}

export interface CfnResource {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is untyped; tests walk it and assert the shape they expect
  Properties: Record<string, any>;
  DependsOn?: string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Value: unknown; Description?: string }>;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: LowtideStack;
  readonly template: CfnTemplate;
  readonly outdir: string;
  cleanup(): void;
}

/**
 * Synthesizes a config the way `cdk synth` does (cdk-nag plugin included: an unacknowledged
 * finding throws here). `bundle: false` skips esbuild, for tests that only read the template.
 */
export function synthesize(
  config: LowtideConfig,
  options: BuildAppOptions & { bundle?: boolean } = {},
): Synthesized {
  const { bundle = true, app: appProps, ...rest } = options;
  const outdir = mkdtempSync(path.join(tmpdir(), 'lowtide-cdk-'));
  const { app, stack } = buildApp(config, {
    ...rest,
    app: {
      ...appProps,
      outdir,
      context: { ...appProps?.context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    },
  });
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as CfnTemplate;
  return { app, stack, template, outdir, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The one resource whose logical id matches, e.g. /^LowtideFunctionsPreflightFunction[0-9A-F]{8}$/. */
export function resourceById(template: CfnTemplate, id: RegExp): [string, CfnResource] {
  const found = Object.entries(template.Resources).filter(([logicalId]) => id.test(logicalId));
  if (found.length !== 1)
    throw new Error(
      `expected one resource matching ${id}, found ${found.map(([k]) => k).join(', ') || 'none'}`,
    );
  return found[0]!;
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every policy statement in the template, with where it sits. */
export function allStatements(
  template: CfnTemplate,
): Array<{ id: string; type: string; statement: CfnStatement }> {
  const out: Array<{ id: string; type: string; statement: CfnStatement }> = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const docs: Array<{ Statement: CfnStatement | CfnStatement[] }> = [];
    const p = r.Properties ?? {};
    if (p.PolicyDocument) docs.push(p.PolicyDocument);
    if (p.KeyPolicy) docs.push(p.KeyPolicy);
    if (p.AssumeRolePolicyDocument) docs.push(p.AssumeRolePolicyDocument);
    for (const inline of (p.Policies ?? []) as Array<{ PolicyDocument: { Statement: CfnStatement[] } }>) {
      docs.push(inline.PolicyDocument);
    }
    for (const doc of docs)
      for (const statement of asList(doc.Statement)) out.push({ id, type: r.Type, statement });
  }
  return out;
}

export function readAsset(outdir: string, s3Key: string, file: string): string {
  return readFileSync(path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, file), 'utf8');
}
