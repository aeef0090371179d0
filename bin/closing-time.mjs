#!/usr/bin/env node
// The `closing-time` command. The TypeScript sources are bundled into dist/cli
// by scripts/build-cli.mjs, which `npm install` / `npm ci` run (prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('closing-time: the command is not built yet: run `npm run build:cli` (npm install does it through the prepare script)\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
