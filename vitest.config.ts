import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  resolve: {
    // Job files and the example config import `lowtide`; in this repository that is its sources
    // (as tsconfig.json's paths say), not the built dist/ package.json's exports name.
    alias: [
      { find: /^lowtide$/, replacement: source('./src/index.ts') },
      { find: /^lowtide\/config$/, replacement: source('./src/config/public.ts') },
      { find: /^lowtide\/cdk$/, replacement: source('./infra/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file creates its own databases, so files may run in parallel;
    // two workers keep the two-core CI machine from thrashing.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
