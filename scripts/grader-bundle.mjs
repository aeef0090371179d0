// How the grader's isolate script is bundled: one browser-safe IIFE (no Node
// APIs, no module loader inside the isolate) from src/server/grading/isolate-entry.ts.
// Shared by scripts/build-cli.mjs (writes dist/grader/isolate.js) and by the
// grading child when it runs from source without a build (bundles in memory).
import { build } from 'esbuild';
import { resolve } from 'node:path';

export const ISOLATE_ENTRY = 'src/server/grading/isolate-entry.ts';

/** esbuild options for the isolate script; `outfile` only when writing. */
export function isolateBuildOptions(root, outfile) {
  return {
    absWorkingDir: root,
    entryPoints: [resolve(root, ISOLATE_ENTRY)],
    bundle: true,
    format: 'iife',
    // The same code runs in the lab page's Web Worker; the isolate has even less (no timers, no console).
    platform: 'browser',
    target: 'es2022',
    // Strict mode for every bundled function: assignments that the frozen realm refuses throw
    // instead of failing silently, and no bundled function leaks through `fn.caller`.
    banner: { js: '"use strict";' },
    legalComments: 'none',
    logLevel: 'warning',
    ...(outfile ? { outfile, write: true } : { write: false }),
  };
}

/** Bundles the isolate script in memory and returns its text. */
export async function bundleIsolateScript(root) {
  const out = await build(isolateBuildOptions(root));
  return out.outputFiles[0].text;
}
