// Run by each function's afterBundling hook (plain Node, so it works in bash and in cmd.exe):
// copies the files a bundle reads at run time next to its index.mjs, each only when the bundle
// names it (a function without the PostgreSQL parser does not need its wasm).
// Usage: node copy-beside-bundle.mjs <outputDir> <file>...
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

const [outputDir, ...files] = process.argv.slice(2);
if (!outputDir) throw new Error('usage: copy-beside-bundle.mjs <outputDir> <file>...');
const bundle = readFileSync(path.join(outputDir, 'index.mjs'), 'utf8');
for (const file of files) {
  const name = path.basename(file);
  if (bundle.includes(name)) copyFileSync(file, path.join(outputDir, name));
}
