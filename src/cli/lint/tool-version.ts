import { readFile } from 'node:fs/promises';

/** lowtide's version from its package.json, for reports that name the tool (SARIF). */
export async function readToolVersion(): Promise<string> {
  const text = await readFile(new URL('../../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
