#!/usr/bin/env node
// The package's `lowtide` command. Job files are TypeScript that `import { defineJob } from 'lowtide'`,
// so tsx's loader is registered before anything else is imported; it also loads the CLI's own source.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every command about Node versions it will drop in the future; an operator's
// terminal and a script's stderr are no place for it (package.json's engines says what is supported).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../src/cli/main.ts');
