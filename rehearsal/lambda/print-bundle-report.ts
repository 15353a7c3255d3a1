// Prints each function's bundle size and init time: `npx tsx rehearsal/lambda/print-bundle-report.ts [cdk.out]`.
// Without an argument it synthesizes the app (LOWTIDE_CONFIG honoured) into a temporary folder.
// Every asset is copied out of the repository first, so the figures are those of the shipped folder.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../../infra/build-app';
import { loadDeploymentConfig } from '../../infra/deployment-config';
import { assemblyFunctionAssets, bundleReport, formatBundleReport } from './bundle-report';

const scratch = mkdtempSync(path.join(tmpdir(), 'lowtide-bundle-report-'));
try {
  let outdir = process.argv[2];
  if (!outdir) {
    outdir = path.join(scratch, 'cdk.out');
    const { config, configFile } = await loadDeploymentConfig();
    buildApp(config, { configFile, app: { outdir } }).app.synth();
  }
  const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  const assets = templates.flatMap((t) => assemblyFunctionAssets(outdir!, t));
  const copies = assets.map((a) => {
    const dir = path.join(scratch, 'copies', path.basename(a.dir));
    cpSync(a.dir, dir, { recursive: true });
    return { name: a.name, dir };
  });
  console.log(formatBundleReport(await bundleReport(copies, { runs: 3 })));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
