// A playground's first touch is light and exact: Run works before the
// TypeScript language service is fetched (it comes with the first focus or
// edit), the click that wakes the editor leaves the keys typed next in it, and
// nothing on the page moves when the pointer first passes over it.
import type { Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, launchChromium, startSite } from './browser.ts';

const LESSON = '/lessons/four-way-close/';
const PLAYGROUND = 'four-way-close';

let browser: Browser;
let server: Server;
let origin: string;

beforeAll(async () => {
  ensureBuilt();
  ({ server, origin } = await startSite());
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

/** A lesson page with the pointer parked outside it; every script and worker URL it asks for is recorded. */
async function openLesson(): Promise<{ context: BrowserContext; page: Page; fetched: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const fetched: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => fetched.push(r.url()));
  page.on('worker', (w) => fetched.push(w.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.mouse.move(0, 0);
  await page.goto(`${origin}${LESSON}`);
  await page.waitForSelector(`[data-playground][data-id="${PLAYGROUND}"][data-hydrated]`);
  return { context, page, fetched, errors };
}

const frames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/**
 * Scrolls the playground's code into view and waits until it stays put: figures and
 * playgrounds off screen have estimated heights (content-visibility: auto) until drawn.
 */
async function bringIntoView(page: Page): Promise<void> {
  // The code, at the playground's top: the whole playground is taller than the window.
  const code = playground(page).locator('[data-editor]');
  let last = '';
  for (let i = 0; i < 10; i++) {
    await code.scrollIntoViewIfNeeded();
    await frames(page);
    const now = JSON.stringify(await code.boundingBox());
    if (now === last) return;
    last = now;
  }
}

const playground = (page: Page) => page.locator(`[data-playground][data-id="${PLAYGROUND}"]`);
const tsWorker = (urls: string[]) => urls.filter((u) => u.includes('ts.worker'));

describe('first touch of a playground', () => {
  it('prints the first trace line of a Run without fetching the TypeScript worker, which the first focus then loads', async () => {
    const { context, page, fetched, errors } = await openLesson();
    const pg = playground(page);
    await pg.scrollIntoViewIfNeeded();
    await pg.locator('[data-action="run"]').click();
    // data-run-latency-ms is set once the first trace line is on the console.
    await page.waitForFunction((el) => el?.hasAttribute('data-run-latency-ms'), await pg.elementHandle(), { timeout: 60_000 });
    await page.waitForFunction((el) => el?.getAttribute('data-state') === 'done' && el.getAttribute('data-editor') === 'ready', await pg.elementHandle(), { timeout: 60_000 });
    expect(await page.evaluate((id) => (document.querySelector(`[data-playground][data-id="${id}"]`) as any).playground.consoleText(), PLAYGROUND)).toMatch(/Flags \[S\]/);
    // The run's own worker was seen, so the watch works; the language worker was not asked for.
    expect(fetched.some((u) => /worker/i.test(u))).toBe(true);
    expect(tsWorker(fetched)).toEqual([]);
    expect(await pg.getAttribute('data-intellisense')).toBeNull();

    await pg.locator('.monaco-editor .view-lines').click();
    await page.waitForFunction((el) => el?.getAttribute('data-intellisense') === 'ready', await pg.elementHandle(), { timeout: 60_000 });
    await expect.poll(() => tsWorker(fetched).length, { timeout: 60_000 }).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('puts keys typed right after the first click into the static code into the editor', async () => {
    const { context, page, errors } = await openLesson();
    const pg = playground(page);
    await bringIntoView(page);
    expect(await pg.getAttribute('data-editor')).toBeNull();
    // The start of the first line of code, before Monaco exists.
    const first = pg.locator('.playground__static .line').first();
    const box = (await first.boundingBox())!;
    await page.mouse.click(box.x + 1, box.y + box.height / 2);
    await page.keyboard.type('abc');
    await page.waitForFunction((el) => el?.getAttribute('data-editor') === 'ready', await pg.elementHandle(), { timeout: 60_000 });
    const source = () => page.evaluate((id) => (document.querySelector(`[data-playground][data-id="${id}"]`) as any).playground.source() as string, PLAYGROUND);
    const original = JSON.parse((await pg.locator('script[data-source]').textContent())!) as string;
    await expect.poll(source, { timeout: 30_000 }).toBe(`abc${original}`);
    // The editor has focus: the next keys go straight in, at the caret.
    expect(await page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null)).toBe(true);
    await page.keyboard.type('d');
    await expect.poll(source).toBe(`abcd${original}`);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  for (const width of [1366, 390]) {
    it(`keeps its size when the pointer first enters it and Monaco takes over (${width} px wide)`, async () => {
      const { context, page } = await openLesson();
      await page.setViewportSize({ width, height: 900 });
      const pg = playground(page);
      await bringIntoView(page);
      const measure = () =>
        pg.evaluate((el) => {
          const r = el.getBoundingClientRect();
          const editor = el.querySelector('[data-editor]')!.getBoundingClientRect();
          return { top: Math.round(r.top + scrollY), height: Math.round(r.height), width: Math.round(r.width), editor: Math.round(editor.height) };
        });
      const before = await measure();
      // Into the code, where a reader's pointer arrives (hover() would scroll the tall playground first).
      const code = (await pg.locator('[data-editor]').boundingBox())!;
      await page.mouse.move(code.x + code.width / 2, code.y + 20);
      await page.waitForFunction((el) => el?.getAttribute('data-editor') === 'ready' && el.querySelector('.xterm-rows'), await pg.elementHandle(), { timeout: 60_000 });
      // Two frames: whatever the editor and console lay out is on screen.
      await frames(page);
      expect(await measure()).toEqual(before);
      await context.close();
    }, 120_000);
  }
});
