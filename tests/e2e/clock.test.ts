// The playground's virtual clock and paced runs in a real browser: slow motion
// shows the four-way close at its pace and skips the quiet minute of TIME_WAIT
// (saying so), the clock runs during the run, and Stop says where it stopped.
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, launchChromium, screenshotDir, startSite } from './browser.ts';

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

const ID = 'four-way-close';
const SLOW_MOTION = '0.02';
const REAL_TIME = '1';

async function openLesson(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; pg: Locator }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  await page.goto(`${origin}/lessons/four-way-close/`);
  const pg = page.locator(`[data-playground][data-id="${ID}"]`);
  await pg.scrollIntoViewIfNeeded();
  await pg.locator('[data-speed]').waitFor({ state: 'visible' });
  return { context, page, pg };
}

const clockMs = async (pg: Locator) => Number(await pg.locator('[data-clock]').getAttribute('data-ms'));

const consoleText = (page: Page) =>
  page.evaluate((pid) => (document.querySelector(`[data-playground][data-id="${pid}"]`) as any).playground.consoleText() as string, ID);

/** Virtual time of the last event the page has shown. */
const lastShownMs = (page: Page) =>
  page.evaluate((pid) => {
    const events = (document.querySelector(`[data-playground][data-id="${pid}"]`) as any).playground.events as { t: number }[];
    return events.length ? events[events.length - 1]!.t : -1;
  }, ID);

/** Waits until the clock has passed `ms` while the run is still going. */
async function clockPasses(page: Page, pg: Locator, ms: number, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([el, limit]) => {
      const root = el as HTMLElement;
      return root.dataset.state === 'running' && Number(root.querySelector<HTMLElement>('[data-clock]')!.dataset.ms) > (limit as number);
    },
    [await pg.elementHandle(), ms] as const,
    { timeout },
  );
}

const runEnds = async (page: Page, pg: Locator, timeout: number) =>
  page.waitForFunction((el) => el?.getAttribute('data-state') === 'done', await pg.elementHandle(), { timeout });

describe('the playground clock and paced runs', () => {
  it('shows slow motion to the end of TIME_WAIT in under 20 s, skipping the quiet minute and saying so', async () => {
    const { context, page, pg } = await openLesson();
    await pg.locator('[data-speed]').selectOption(SLOW_MOTION);
    const started = Date.now();
    await pg.locator('[data-action="run"]').click();
    // The clock runs with the pace, between events too (1 ms of virtual time per 50 ms).
    await clockPasses(page, pg, 5);
    const early = await clockMs(pg);
    await clockPasses(page, pg, early + 5);
    await runEnds(page, pg, 20_000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(20_000);
    const text = await consoleText(page);
    // The longest quiet stretch is TIME_WAIT's minute (shorter ones, such as the server's work before close(), come first).
    const skips = [...text.matchAll(/⋯ (\d+\.\d) s of waiting skipped ⋯/g)];
    const skipped = skips.length ? skips.reduce((a, b) => (Number(b[1]) > Number(a[1]) ? b : a)) : null;
    expect(skipped, text).not.toBeNull();
    expect(Number(skipped![1])).toBeGreaterThan(55);
    // The TIME_WAIT timer's firing was shown, after the skip.
    expect(await pg.getAttribute('data-ended-by')).toBe('quiescence');
    expect(await pg.locator('[data-expect-index="8"]').getAttribute('data-met')).toBe('true');
    expect(text.indexOf(skipped![0])).toBeLessThan(text.lastIndexOf('time-wait'));
    // The clock ends at the run's end.
    const end = await clockMs(pg);
    expect(end).toBeGreaterThanOrEqual(60_000);
    expect(await pg.locator('[data-clock]').textContent()).toBe(`t = ${(end / 1000).toFixed(3)} s`);
    expect(text).toContain(`The run ended at`);
    await context.close();
  }, 60_000);

  it('shows real time without a silent minute', async () => {
    const { context, page, pg } = await openLesson();
    await pg.locator('[data-speed]').selectOption(REAL_TIME);
    const started = Date.now();
    await pg.locator('[data-action="run"]').click();
    await runEnds(page, pg, 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await consoleText(page)).toMatch(/⋯ 5\d\.\d s of waiting skipped ⋯/);
    expect(await clockMs(pg)).toBeGreaterThanOrEqual(60_000);
    await context.close();
  }, 30_000);

  it('counts the clock in instant runs too: it ends at the run’s end', async () => {
    const { context, page, pg } = await openLesson();
    await pg.locator('[data-action="run"]').click();
    await runEnds(page, pg, 20_000);
    expect(await consoleText(page)).not.toMatch(/skipped/);
    expect(await clockMs(pg)).toBeGreaterThanOrEqual(60_000);
    await context.close();
  }, 30_000);

  it('says, on Stop during a paced run, the virtual time of the last event shown', async () => {
    const { context, page, pg } = await openLesson();
    await pg.locator('[data-speed]').selectOption(SLOW_MOTION);
    await pg.locator('[data-action="run"]').click();
    await clockPasses(page, pg, 15);
    await pg.locator('[data-action="stop"]').click();
    await runEnds(page, pg, 5_000);
    const status = (await pg.locator('[data-status]').textContent()) ?? '';
    const m = status.match(/^Stopped at t = (\d+\.\d{3}) s \(virtual time\)\./);
    expect(m, status).not.toBeNull();
    const stoppedMs = Number(m![1]) * 1000;
    const last = await lastShownMs(page);
    expect(last).toBeGreaterThanOrEqual(0);
    expect(Math.abs(stoppedMs - last)).toBeLessThan(1);
    // Far from the end of the simulated run (60 s on), which is not claimed.
    expect(stoppedMs).toBeLessThan(1_000);
    const text = await consoleText(page);
    expect(text).toContain(m![0]);
    expect(text).not.toMatch(/The run ended at 60/);
    expect(await pg.getAttribute('data-ended-by')).toBe('stopped');
    expect(await pg.locator('[data-clock]').textContent()).toBe(`t = ${m![1]} s`);
    await context.close();
  }, 30_000);

  it('takes screenshots of the clock at desktop and phone width, light and dark', async () => {
    for (const [name, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: name === 'phone', hasTouch: name === 'phone' });
        await context.addInitScript((t) => localStorage.setItem('closing-time:theme', t), theme);
        const page = await context.newPage();
        await page.goto(`${origin}/lessons/four-way-close/`);
        const pg = page.locator(`[data-playground][data-id="${ID}"]`);
        await pg.scrollIntoViewIfNeeded();
        await pg.locator('[data-speed]').selectOption(REAL_TIME);
        await pg.locator('[data-action="run"]').click();
        await runEnds(page, pg, 10_000);
        await pg.locator('.playground__controls').screenshot({ path: path.join(screenshotDir, `clock-${name}-${theme}.png`) });
        await pg.screenshot({ path: path.join(screenshotDir, `clock-playground-${name}-${theme}.png`) });
        if (name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
        await context.close();
      }
    }
  }, 90_000);
});
