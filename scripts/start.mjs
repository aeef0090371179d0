// `npm start`: builds the course site if dist/site is missing or older than its
// sources, then serves it and the workshop API from one Node process on PORT
// (default 4321), with the workshop's data in DATA_DIR (default ./data).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const siteDir = path.join(root, 'dist', 'site');
const SOURCES = ['content', 'labs', 'src/pages', 'src/components', 'src/layouts', 'src/styles', 'src/content.config.ts', 'src/runner', 'src/sim', 'src/console', 'public', 'types', 'astro.config.mjs'];

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(p)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, name)));
  }
  return newest;
}

function needsBuild() {
  const marker = path.join(siteDir, 'index.html');
  if (!existsSync(marker) || !existsSync(path.join(siteDir, 'pagefind'))) return 'dist/site is missing';
  const built = statSync(marker).mtimeMs;
  const changed = SOURCES.find((s) => newestMtime(path.join(root, s)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

const reason = process.env.SKIP_BUILD ? null : needsBuild();
if (reason) {
  console.log(`Building the course site (${reason})…`);
  const r = spawnSync('npm', ['run', 'build:site'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error('The site build failed; see the messages above.');
    process.exit(r.status ?? 1);
  }
}

// The server itself (src/server/main.ts) reads PORT, HOST, DATA_DIR, BASE_PATH
// and the grading settings from the environment, and handles SIGINT/SIGTERM.
// isolated-vm (the grading sandbox) runs in the server's child processes, which
// it starts with --no-node-snapshot itself.
register();
const { runFromEnv } = await import('../src/server/main.ts');
await runFromEnv();
