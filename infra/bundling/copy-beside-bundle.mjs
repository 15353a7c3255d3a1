// Run by each function's afterBundling hook (plain Node, so it works in bash and in cmd.exe):
// copies the files a bundle reads at run time next to its index.mjs.
// Usage: node copy-beside-bundle.mjs <outputDir> <file>...
import { copyFileSync } from 'node:fs';
import path from 'node:path';

const [outputDir, ...files] = process.argv.slice(2);
if (!outputDir) throw new Error('usage: copy-beside-bundle.mjs <outputDir> <file>...');
for (const file of files) copyFileSync(file, path.join(outputDir, path.basename(file)));
