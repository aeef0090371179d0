// The lab page in a real browser (Debian's Chromium): Check grades the
// learner's code in a worker and lists every check; the solution scores full
// marks and marks the lab done; hints come one at a time and are remembered;
// a busy loop ends in a failing result, not a frozen tab; the default build
// carries no reference solution.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startSite } from '../e2e/browser.ts';

const root = join(import.meta.dirname, '../..');
const site = join(root, 'dist', 'site');

let browser: Browser;
let server: Server;
let origin: string;

beforeAll(async () => {
  // tests/global-setup.ts builds the site (without solutions) before any test file runs.
  if (!existsSync(join(site, 'labs', 'clean-client', 'index.html'))) throw new Error('dist/site has no lab pages: the global set-up should have built the site');
  // The project's own server (what `npm start` serves) and Debian's Chromium, as the site's e2e tests use them.
  ({ server, origin } = await startSite());
  browser = await launchChromium();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function openLab(lab: string, saved?: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (saved !== undefined) {
    await context.addInitScript(([key, value]) => localStorage.setItem(key, value), [`closing-time:code:lab-${lab}`, saved] as const);
  }
  await page.goto(`${origin}/labs/${lab}/`);
  return { page, errors };
}

async function check(page: Page): Promise<string> {
  await page.click('[data-action="check"]');
  await page.waitForSelector('.lab-bench:is([data-state="pass"], [data-state="fail"], [data-state="error"])', { timeout: 60_000 });
  return (await page.textContent('[data-status]')) ?? '';
}

describe('lab page', () => {
  it('grades the starter in the browser and lists every check with its points', async () => {
    const { page, errors } = await openLab('clean-client');
    const status = await check(page);
    expect(status).toBe('1 of 4 checks pass: 2/9 points.');
    const rows = await page.$$eval('.lab-check', (els) => els.map((e) => `${(e as HTMLElement).dataset.status}|${e.querySelector('.lab-check__points')?.textContent}`));
    expect(rows).toEqual(['fail|0/3', 'pass|2/2', 'fail|0/2', 'fail|0/2']);
    expect(await page.textContent('.lab-check--fail .lab-check__message')).toContain("keep calling recv() until it returns ''");
    expect(errors).toEqual([]);
  });

  it('gives full marks to the solution and marks the lab finished', async () => {
    const solution = readFileSync(join(root, 'labs/half-close/solution.ts'), 'utf8');
    const { page } = await openLab('half-close', solution);
    expect(await check(page)).toBe('All 6 checks pass: 10/10 points.');
    const progress = JSON.parse((await page.evaluate(() => localStorage.getItem('closing-time:progress'))) ?? '{}');
    expect(progress['lab:half-close']).toBeGreaterThan(0);
    expect(await page.textContent('[data-best]')).toBe('Best so far: 10/10 points.');
  });

  it('reveals hints one at a time and remembers how many', async () => {
    const { page } = await openLab('implement-time-wait');
    const visible = () => page.$$eval('[data-hint]', (els) => els.filter((e) => !(e as HTMLElement).hidden).length);
    expect(await visible()).toBe(0);
    await page.click('[data-next-hint]');
    await page.click('[data-next-hint]');
    expect(await visible()).toBe(2);
    await page.reload();
    expect(await visible()).toBe(2);
  });

  it('loads the editor with the saved edits and grades what it holds', async () => {
    const { page } = await openLab('restart-reuseaddr');
    await page.hover('[data-editor]');
    await page.waitForSelector('[data-editor] .monaco-editor', { timeout: 60_000 });
    await page.click('[data-editor] .view-lines');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n// edited in the browser\n');
    await page.reload();
    const saved = await page.evaluate(() => localStorage.getItem('closing-time:code:lab-restart-reuseaddr'));
    expect(saved).toContain('// edited in the browser');
    expect(await check(page)).toBe('2 of 3 checks pass: 3/7 points.');
  });

  it('ends a busy loop with a failing result instead of freezing the tab', async () => {
    const { page } = await openLab('clean-client', 'export async function fetchAll() {\n  while (true) {}\n}\n');
    const status = await check(page);
    expect(status).toBe('0 of 4 checks pass: 0/9 points.');
    expect(await page.textContent('.lab-check__message')).toContain('busy loop');
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
  });

  it('ships no reference solution in a default build', () => {
    const needles = ['Linux tcp_timewait_state_process, with tcp_rfc1337 = 1', 'const BATCH = 50;'];
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (/\.(html|js|json)$/.test(e.name)) files.push(join(dir, e.name));
      }
    };
    walk(site);
    const leaks = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return needles.some((n) => text.includes(n));
    });
    expect(leaks).toEqual([]);
  });
});
