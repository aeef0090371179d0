// Bundles the `closing-time` command and its worker into dist/cli, and the
// workshop grader (its child process and the script its isolates run) into
// dist/grader (run by `npm install` through the prepare script, and by
// `npm run build`). It must not fail a fresh install: an entry or an optional
// module that is missing is skipped with a note, and `closing-time` says what
// is unavailable.
import { build } from 'esbuild';
import { isolateBuildOptions, ISOLATE_ENTRY } from './grader-bundle.mjs';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// Output names are fixed: bin/closing-time.mjs loads dist/cli/main.js, and the
// runner starts dist/cli/node-worker.js beside it.
const entries = { main: 'src/cli/main.ts', 'node-worker': 'src/runner/node-worker.ts' };
const present = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
for (const [name, file] of Object.entries(entries)) if (!(name in present)) console.warn(`build-cli: ${file} is missing; skipped`);

// src/cli/grade.ts is optional: when it is missing the bundle gets an empty
// module in its place and `closing-time grade` explains.
const optionalModules = {
  name: 'optional-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\/grade\.ts$/ }, (args) => {
      const file = resolve(args.resolveDir, args.path);
      return existsSync(file) ? { path: file } : { path: file, namespace: 'missing-module' };
    });
    b.onLoad({ filter: /.*/, namespace: 'missing-module' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

// Node bundles: packages stay in node_modules (isolated-vm and better-sqlite3 are native).
const nodeBundle = { bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, packages: 'external', logLevel: 'warning' };

if (Object.keys(present).length) {
  try {
    await build({ ...nodeBundle, entryPoints: present, outdir: 'dist/cli', plugins: [optionalModules] });
  } catch (error) {
    // A broken source file must not break `npm ci` for the rest of the project.
    console.warn(`build-cli: the closing-time command could not be built: ${error.message}`);
    process.exitCode = process.env.CLOSING_TIME_STRICT_BUILD ? 1 : 0;
  }
}

// The workshop grader: src/server/grading/pool.ts forks dist/grader/child.js
// (isolated-vm stays a package: it is a native module), and the child runs
// dist/grader/isolate.js in each isolate. Built apart from the CLI so that a
// failure of one leaves the other.
const CHILD_ENTRY = 'src/server/grading/child.ts';
const graderParts = [
  [ISOLATE_ENTRY, () => build(isolateBuildOptions(root, 'dist/grader/isolate.js'))],
  [
    CHILD_ENTRY,
    () =>
      build({ ...nodeBundle, entryPoints: { child: CHILD_ENTRY }, outdir: 'dist/grader' }),
  ],
];
for (const [file, buildPart] of graderParts) {
  if (!existsSync(file)) {
    console.warn(`build-cli: ${file} is missing; skipped`);
    continue;
  }
  try {
    await buildPart();
  } catch (error) {
    console.warn(`build-cli: the workshop grader (${file}) could not be built: ${error.message}`);
    process.exitCode = process.env.CLOSING_TIME_STRICT_BUILD ? 1 : process.exitCode ?? 0;
  }
}
