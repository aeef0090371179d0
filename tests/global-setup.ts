// Runs once before the test files: builds what browser and CLI tests use, so
// that test files running in parallel never build the same output at once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, CT_HIDE_SOLUTIONS: '' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/** The site is needed by the browser tests only: skip it when the run names other folders. */
function wantsSite(): boolean {
  // CT_NO_SITE=1: the run needs no site (say so when running lab or CLI tests alone).
  if (process.env.CT_NO_SITE === '1') return false;
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && !a.endsWith('vitest') && !a.endsWith('vitest.mjs'));
  return filters.length === 0 || filters.some((f) => /e2e|labs|lab-page|site/.test(f) || /^tests\/?$/.test(f));
}

export default function setup(): void {
  run('node', ['scripts/build-cli.mjs']);
  if (!wantsSite()) return;
  const index = path.join(root, 'dist', 'site', 'index.html');
  const built = existsSync(index) && existsSync(path.join(root, 'dist', 'site', 'pagefind')) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(...['src', 'content', 'labs', 'types', 'public'].map((d) => newestMtime(path.join(root, d))), statSync(path.join(root, 'astro.config.mjs')).mtimeMs);
  if (process.env.CI === 'true' || built < sources) run('npm', ['run', 'build:site']);
}
