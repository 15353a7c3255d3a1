import { readFile } from 'node:fs/promises';
import { flagFromDocument } from './flag-state';
import type { FlagReader } from './types';

/** The flags file a local run reads by default, beside the job files: `{ "<flag>": { "enabled": false } }`. */
export const DEFAULT_FLAGS_FILE = 'lowtide.flags.json';

/**
 * Flags from a JSON file in AppConfig's feature-flag shape, read afresh at every gate, so editing
 * the file flips the flag for a running local job. A missing file, bad JSON or a missing flag
 * cannot be read (and so counts as off).
 */
export function fileFlagReader(file: string): FlagReader {
  return {
    async isEnabled({ flag }) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new Error(`flags file ${file} cannot be read: ${(error as Error).message}`);
      }
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch (error) {
        throw new Error(`flags file ${file} is not JSON: ${(error as Error).message}`);
      }
      return flagFromDocument(document, flag, `flags file ${file}`);
    },
  };
}

/** Flags from an HTTP endpoint that answers GET with the same JSON document (an AppConfig agent, a test server). */
export function httpFlagReader(url: string, timeoutMs = 2_000): FlagReader {
  return {
    async isEnabled({ flag }) {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`flags endpoint ${url} answered HTTP ${response.status}`);
      return flagFromDocument(await response.json(), flag, `flags endpoint ${url}`);
    },
  };
}

/** A flags source as a user names it: an http(s) URL, else a file path. */
export function flagReaderFor(source: string): FlagReader {
  return /^https?:\/\//.test(source) ? httpFlagReader(source) : fileFlagReader(source);
}
