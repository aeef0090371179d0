// `npm start`: builds the course site if dist/site is missing or older than its
// sources, then serves it (and, once mounted, the workshop API) from one Node
// HTTP server on PORT (default 4321).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

const port = Number(process.env.PORT ?? 4321);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number (0-65535), got '${process.env.PORT}'`);
  process.exit(2);
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

register();
const { createApp } = await import('../src/server/app.ts');
const base = process.env.BASE_PATH || '/';
const app = createApp({ root: siteDir, base });
// A workshop module, when present, mounts its API on the same server.
const workshop = path.join(root, 'src/server/workshop.ts');
if (existsSync(workshop)) {
  const mod = await import(pathToFileURL(workshop).href);
  if (typeof mod.mountWorkshop === 'function') await mod.mountWorkshop(app);
}
const server = await app.listen(port, process.env.HOST);
const addr = server.address();
const shown = typeof addr === 'object' && addr ? addr.port : port;
console.log(`Closing Time is being served at http://localhost:${shown}${base}`);

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
