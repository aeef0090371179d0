// The lab page in a real browser (Debian's Chromium): the editor gets the
// width; Run drives the learner's exports with the lab's scenario and shows the
// trace, ss and the ladder; Check grades in a worker and lists every check; a
// failed check replays as a traced run; a compile error is said once and marked
// in the editor; the solution scores full marks and marks the lab done; hints
// come one at a time, then the reference solution beside the learner's file; a
// busy loop ends in a failing result, not a frozen tab; no page or script
// carries a reference solution.
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

async function openLab(lab: string, saved?: string, viewport = { width: 1400, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
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
  return (await page.textContent('[data-check-status]')) ?? '';
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
    expect(await check(page)).toBe('3 of 5 checks pass: 4/9 points.');
  });

  it('ends a busy loop with a failing result instead of freezing the tab', async () => {
    const { page } = await openLab('clean-client', 'export async function fetchAll() {\n  while (true) {}\n}\n');
    const status = await check(page);
    expect(status).toBe('0 of 4 checks pass: 0/9 points.');
    expect(await page.textContent('.lab-check__message')).toContain('busy loop');
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
  });

  it('gives the editor at least 700 px at 1366 px wide, with the task beside it and no table of contents', async () => {
    const { page } = await openLab('close-wait-leak', undefined, { width: 1366, height: 900 });
    const editor = await page.locator('[data-editor]').boundingBox();
    const task = await page.locator('.lab-layout__task').boundingBox();
    expect(editor!.width).toBeGreaterThanOrEqual(700);
    expect(task!.x + task!.width).toBeLessThanOrEqual(editor!.x);
    expect(await page.locator('aside.toc').count()).toBe(0);
    // The course menu is a drawer behind the menu button.
    expect(await page.locator('#course-nav').isVisible()).toBe(false);
    await page.click('.nav-toggle');
    await page.locator('#course-nav').waitFor({ state: 'visible' });
  });

  it('runs the starter with the lab scenario: trace lines, ss output and the ladder', async () => {
    const { page, errors } = await openLab('close-wait-leak', undefined, { width: 1366, height: 900 });
    const pg = page.locator('.lab-bench [data-playground]');
    await pg.locator('[data-action="run"]').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.lab-bench [data-playground]')?.dataset.state === 'done', null, { timeout: 60_000 });
    const text = () => page.evaluate(() => (document.querySelector('.lab-bench [data-playground]') as HTMLElement & { playground: { consoleText(): string } }).playground.consoleText());
    // The terminal renders what it is given a moment later: wait for the SYN line.
    await expect.poll(text, { timeout: 10_000 }).toMatch(/\[S\]/);
    expect(Number(await pg.locator('[data-ladder]').getAttribute('data-arrows'))).toBeGreaterThan(0);
    await pg.locator('[data-prompt]').fill('ss -tan');
    await pg.locator('[data-prompt]').press('Enter');
    await expect.poll(text).toMatch(/CLOSE-WAIT/);
    expect(errors).toEqual([]);
  });

  it('opens a failed check as its own traced run with the moment it failed marked', async () => {
    const { page } = await openLab('close-wait-leak', undefined, { width: 1366, height: 900 });
    await check(page);
    const replay = page.locator('.lab-check--fail .lab-check__replay').first();
    const name = await replay.getAttribute('data-replay');
    await replay.click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.lab-bench [data-playground]')?.dataset.view === 'check', null, { timeout: 60_000 });
    const pg = page.locator('.lab-bench [data-playground]');
    expect(await pg.locator('[data-status]').textContent()).toContain(`Replay of the check “${name}”`);
    expect(Number(await pg.locator('[data-ladder]').getAttribute('data-arrows'))).toBeGreaterThan(0);
    expect(await pg.locator('.ladder .is-active').count()).toBeGreaterThan(0);
  });

  it('says a compile error once and marks its line in the editor', async () => {
    const { page } = await openLab('close-wait-leak', 'import type { Socket } from "closing-time";\nexport async function handle(conn: Socket) {\n  return (\n}\n');
    await page.hover('[data-editor]');
    await page.waitForSelector('[data-editor] .monaco-editor', { timeout: 60_000 });
    const status = await check(page);
    expect(status).toContain('close-wait-leak.ts:');
    const body = await page.textContent('.lab-bench__grade');
    expect(body!.split('close-wait-leak.ts:').length - 1).toBe(1);
    await page.waitForFunction(() => (document.querySelector<HTMLElement>('.lab-bench [data-playground]')?.dataset.errorLine ?? '') !== '');
    expect(await page.locator('[data-editor] .squiggly-error').count()).toBeGreaterThan(0);
  });

  it('offers the reference solution after the last hint, confirmed, beside the learner file', async () => {
    const { page } = await openLab('close-wait-leak');
    const button = page.locator('[data-show-solution]');
    expect(await button.isVisible()).toBe(false);
    while (await page.locator('[data-next-hint]').isVisible()) await page.click('[data-next-hint]');
    await button.waitFor({ state: 'visible' });
    page.once('dialog', (d) => void d.accept());
    await button.click();
    await page.locator('[data-solution-panel]:not([hidden]) .monaco-diff-editor').waitFor({ timeout: 60_000 });
    // Monaco lays the text out with non-breaking spaces.
    const right = (await page.locator('[data-solution-panel] .modified-in-monaco-diff-editor').textContent())!.replace(/\s+/g, ' ');
    expect(right).toContain('await conn.close()');
  });

  it('ships solutions only as separate files, never in a page or script', () => {
    const needles = ['Linux tcp_timewait_state_process, with tcp_rfc1337 = 1', 'const BATCH = 50;'];
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (/\.(html|js|json)$/.test(e.name)) files.push(join(dir, e.name));
      }
    };
    walk(site);
    expect(existsSync(join(site, 'solutions', 'implement-time-wait.json'))).toBe(true);
    const leaks = files.filter((f) => !f.includes(`${join(site, 'solutions')}/`)).filter((f) => {
      const text = readFileSync(f, 'utf8');
      return needles.some((n) => text.includes(n));
    });
    expect(leaks).toEqual([]);
  });
});
