import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FUNCTION_NAMES, type LowtideFunctionName } from '../../../infra/function-catalog';
import type { CfnResource, CfnTemplate } from './synth';

export interface FunctionAsset {
  readonly name: LowtideFunctionName;
  readonly resource: CfnResource;
  /** The asset folder cdk synth wrote (what `cdk deploy` zips and uploads). */
  readonly dir: string;
}

function constructId(name: LowtideFunctionName): string {
  return `${name[0]!.toUpperCase()}${name.slice(1)}Function`;
}

/** Each function's asset folder in a synthesized cloud assembly. */
export function functionAssets(template: CfnTemplate, outdir: string): FunctionAsset[] {
  return FUNCTION_NAMES.map((name) => {
    const pattern = new RegExp(`^LowtideFunctions${constructId(name)}[0-9A-F]{8}$`);
    const entry = Object.entries(template.Resources).find(
      ([id, r]) => pattern.test(id) && r.Type === 'AWS::Lambda::Function',
    );
    if (!entry) throw new Error(`no Lambda function for ${name} in the template`);
    const key = String(entry[1].Properties.Code.S3Key).replace(/\.zip$/, '');
    return { name, resource: entry[1], dir: path.join(outdir, `asset.${key}`) };
  });
}

/** Copies an asset folder out of the repository, so the bundle cannot reach src/ or node_modules. */
export function copyOut(dir: string): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'lowtide-asset-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}
