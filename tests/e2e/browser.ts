// Shared set-up for the site's end-to-end tests: build the site if needed,
// serve it with the project's own server, drive Debian's Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../../src/server/app.ts';

export const root = path.resolve(__dirname, '../..');
export const siteDir = path.join(root, 'dist', 'site');
export const screenshotDir = path.join(root, 'test-results', 'screenshots');

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function ensureBuilt(): void {
  if (existsSync(path.join(siteDir, 'index.html')) && existsSync(path.join(siteDir, 'pagefind'))) return;
  const r = spawnSync('npm', ['run', 'build:site'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build:site failed');
}

export async function startSite(): Promise<{ server: Server; origin: string }> {
  const server = await createApp({ root: siteDir }).listen(0, '127.0.0.1');
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Chromium with a fresh profile (Playwright gives each launch its own user-data-dir). */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
}
