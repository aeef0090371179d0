// Bundles the `closing-time` command and its worker into dist/cli (run by
// `npm install` through the prepare script, and by `npm run build`).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = ['src/cli/main.ts', 'src/runner/node-worker.ts'].filter((f) => existsSync(f));
if (entries.length) {
  await build({
    entryPoints: entries,
    outdir: 'dist/cli',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    packages: 'external',
    logLevel: 'warning',
  });
}
