// The course in a real browser: every lesson's playground runs and shows what
// its text claims; errors point at the learner's line; a busy loop is stopped;
// progress and edits survive a reload; the site reads without JavaScript.
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonIds, playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';
import { ensureBuilt, launchChromium, root, screenshotDir, startSite } from './browser.ts';

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

async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

/** Runs a playground and waits until its run is over. */
async function runPlayground(page: Page, id: string, timeout = 30_000): Promise<void> {
  const pg = page.locator(`[data-playground][data-id="${id}"]`);
  await pg.scrollIntoViewIfNeeded();
  await pg.locator('[data-action="run"]').click();
  await page.waitForFunction((el) => el?.getAttribute('data-state') === 'done', await pg.elementHandle(), { timeout });
}

const consoleText = (page: Page, id: string) =>
  page.evaluate((pid) => (document.querySelector(`[data-playground][data-id="${pid}"]`) as any).playground.consoleText() as string, id);

async function consoleCommand(page: Page, id: string, command: string): Promise<void> {
  const prompt = page.locator(`[data-playground][data-id="${id}"] [data-prompt]`);
  await prompt.fill(command);
  await prompt.press('Enter');
}

/** Replaces the program in the playground's Monaco editor, as a learner would (select all, type). */
async function setEditorText(page: Page, id: string, text: string): Promise<void> {
  const pg = page.locator(`[data-playground][data-id="${id}"]`);
  await pg.hover();
  await page.waitForFunction((el) => el?.getAttribute('data-editor') === 'ready', await pg.elementHandle(), { timeout: 30_000 });
  await pg.locator('.monaco-editor').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

const contentDir = path.join(root, 'content');
const lessons = lessonIds(contentDir);

describe('every lesson runs its playgrounds and shows what it claims', () => {
  for (const lesson of lessons) {
    it(lesson, async () => {
      const { context, page, errors } = await newPage();
      const res = await page.goto(`${origin}/lessons/${lesson}/`);
      expect(res?.status()).toBe(200);
      const pgs = playgroundsOfLesson(contentDir, lesson);
      expect(await page.locator('[data-playground]').count()).toBe(pgs.length);
      let withSegments = 0;
      for (const pg of pgs) {
        await runPlayground(page, pg.id);
        const el = page.locator(`[data-playground][data-id="${pg.id}"]`);
        // Every "what to look for" item is ticked off by the live trace.
        const items = el.locator('[data-expect-index]');
        expect(await items.count()).toBe(pg.expect.length);
        const unmet = await el.locator('[data-expect-index][data-met="false"]').allTextContents();
        expect(unmet, `${lesson}/${pg.id}: not seen`).toEqual([]);
        // Trace lines in the console: state changes, and segments in tcpdump form.
        const text = await consoleText(page, pg.id);
        expect(text).toMatch(/->/);
        const sendsSegments = /Flags \[/.test(text);
        if (sendsSegments) withSegments++;
        // ss in the console.
        await consoleCommand(page, pg.id, 'ss -tan');
        await expect.poll(() => consoleText(page, pg.id)).toMatch(/# sockets at the end of the run[\s\S]*State\s+Recv-Q\s+Send-Q/);
        // The ladder diagram draws the hosts and every segment the console lists.
        if (sendsSegments) {
          expect(await el.locator('[data-ladder] svg .lad-lifeline').count()).toBeGreaterThanOrEqual(2);
          expect(await el.locator('[data-ladder] svg .lad-arrow').count()).toBeGreaterThan(0);
        }
      }
      expect(withSegments, 'a lesson shows at least one exchange of segments').toBeGreaterThan(0);
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);
  }
});

describe('playground', () => {
  it('draws what the first lesson describes, and scrubbing selects the matching console line', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/four-way-close/`);
    await runPlayground(page, 'four-way-close');
    const el = page.locator('[data-playground][data-id="four-way-close"]');
    const svg = el.locator('[data-ladder] svg');
    expect(await svg.locator('.lad-host').allTextContents()).toEqual(['client', 'server']);
    expect(await svg.locator('.lad-arrow--fin').count()).toBe(2);
    expect(await svg.locator('.lad-timer').count()).toBe(1);
    expect(await svg.locator('.lad-state text').allTextContents()).toContain('TIME_WAIT');
    const scrub = el.locator('[data-scrub]');
    await scrub.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    const caption = await el.locator('[data-scrub-caption]').textContent();
    expect(caption).toMatch(/s · /);
    const selection = await page.evaluate(() => (document.querySelector('[data-playground]') as any).playground.consoleSelection() as string);
    expect(selection.trim().length).toBeGreaterThan(0);
    expect(await svg.locator('.is-active').count()).toBe(1);
    // ss at the scrubbed moment is rebuilt from the trace.
    await consoleCommand(page, 'four-way-close', 'ss -tan');
    await expect.poll(() => consoleText(page, 'four-way-close')).toMatch(/rebuilt from the trace/);
    await context.close();
  }, 60_000);

  it('marks a lost segment with a cross on the diagram', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/time-wait/`);
    await runPlayground(page, 'lost-last-ack');
    const svg = page.locator('[data-playground][data-id="lost-last-ack"] [data-ladder] svg');
    expect(await svg.locator('.lad-arrow--lost .lad-cross').count()).toBe(1);
    expect(await svg.locator('.lad-arrow--retx').count()).toBeGreaterThan(0);
    await context.close();
  }, 60_000);

  it('points a runtime error at the learner’s line, in the editor and the console', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/four-way-close/`);
    const program = [
      "import type { Simulation } from 'closing-time';",
      '',
      'export default function (sim: Simulation) {',
      "  const client = sim.host('client');",
      '  client.run(async (os) => {',
      '    const s = os.socket();',
      "    await s.connect({ host: 'nowhere', port: 80 } as any);",
      '  });',
      '}',
      '',
    ].join('\n');
    await setEditorText(page, 'four-way-close', program);
    await runPlayground(page, 'four-way-close');
    const el = page.locator('[data-playground][data-id="four-way-close"]');
    await expect.poll(() => el.getAttribute('data-error-line')).toBe('7');
    expect(await consoleText(page, 'four-way-close')).toMatch(/four-way-close\.ts:7/);
    const markers = await page.evaluate(() => (document.querySelector('[data-playground][data-id="four-way-close"]') as any).playground.errorMarkers() as { line: number }[]);
    expect(markers.map((m) => m.line)).toContain(7);
    await expect.poll(() => el.locator('.monaco-editor .squiggly-error').count()).toBeGreaterThan(0);
    // The run itself ends normally; the status line still says that a process failed.
    expect(await el.locator('[data-status]').textContent()).toMatch(/1 process failed \(see the console\)/);
    await context.close();
  }, 60_000);

  it('reports a syntax error at its line', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/four-way-close/`);
    await setEditorText(page, 'four-way-close', "import type { Simulation } from 'closing-time';\n\nexport default function (sim: Simulation) {\n  const x = ;\n}\n");
    await runPlayground(page, 'four-way-close');
    const el = page.locator('[data-playground][data-id="four-way-close"]');
    expect(await el.getAttribute('data-ended-by')).toBe('error');
    expect(await el.getAttribute('data-error-line')).toBe('4');
    expect(await consoleText(page, 'four-way-close')).toMatch(/four-way-close\.ts:4/);
    // Said once: the run's error repeats the compile diagnostic already on the console.
    expect((await consoleText(page, 'four-way-close')).match(/four-way-close\.ts:4:/g)).toHaveLength(1);
    expect(await el.locator('[data-status]').textContent()).toMatch(/^Error: four-way-close\.ts:4:\d+: syntax error/);
    await context.close();
  }, 60_000);

  it('stops a busy loop with a message and the page stays responsive', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/four-way-close/`);
    const program = [
      "import type { Simulation } from 'closing-time';",
      'export default function (sim: Simulation) {',
      "  sim.host('client').run(async () => {",
      '    let n = 0;',
      '    while (true) n++;',
      '  });',
      '}',
      '',
    ].join('\n');
    await setEditorText(page, 'four-way-close', program);
    const el = page.locator('[data-playground][data-id="four-way-close"]');
    await el.locator('[data-action="run"]').click();
    await page.waitForTimeout(300);
    const t0 = Date.now();
    await el.locator('[data-action="stop"]').click();
    await page.waitForFunction((e) => e?.getAttribute('data-state') === 'done', await el.elementHandle(), { timeout: 5_000 });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(await el.locator('[data-status]').textContent()).toMatch(/Stop|loop|busy/i);
    // The page answers at once.
    const t1 = Date.now();
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(Date.now() - t1).toBeLessThan(500);
    // And the playground still runs programs afterwards.
    await el.locator('[data-action="reset"]').click();
    await runPlayground(page, 'four-way-close');
    expect(await el.getAttribute('data-ended-by')).toBe('quiescence');
    await context.close();
  }, 90_000);

  it('keeps the learner’s edits across a reload, and Reset restores the lesson’s program', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/half-close/`);
    const marker = '//my-experiment';
    await setEditorText(page, 'half-close', `${marker}\nexport default function () {}\n`);
    await page.waitForTimeout(500); // edits are saved 300 ms after typing stops
    await page.reload();
    const pg = page.locator('[data-playground][data-id="half-close"]');
    await pg.hover();
    await page.waitForFunction((el) => el?.getAttribute('data-editor') === 'ready', await pg.elementHandle(), { timeout: 30_000 });
    await expect.poll(() => pg.locator('.monaco-editor .view-lines').textContent()).toContain('my-experiment');
    await pg.locator('[data-action="reset"]').click();
    await expect.poll(() => pg.locator('.monaco-editor .view-lines').textContent()).toContain('shutdown');
    await context.close();
  }, 90_000);
});

describe('site', () => {
  it('remembers finished lessons in the sidebar across reloads', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/close-wait/`);
    const link = page.locator('.sidebar a[data-progress-key="lesson:close-wait"]');
    expect(await link.getAttribute('class')).not.toMatch(/is-done/);
    await page.locator('[data-mark-done]').click();
    await expect.poll(() => link.getAttribute('class')).toMatch(/is-done/);
    await page.goto(`${origin}/lessons/so-linger/`);
    expect(await page.locator('.sidebar a[data-progress-key="lesson:close-wait"]').getAttribute('class')).toMatch(/is-done/);
    expect(await page.locator('.sidebar a[data-progress-key="lesson:so-linger"]').getAttribute('class')).not.toMatch(/is-done/);
    await page.reload();
    expect(await page.locator('.sidebar a[data-progress-key="lesson:close-wait"]').getAttribute('class')).toMatch(/is-done/);
    await context.close();
  }, 60_000);

  it('reads without JavaScript: the lesson text and its program are in the HTML', async () => {
    const { context, page } = await newPage({ javaScriptEnabled: false });
    await page.goto(`${origin}/lessons/time-wait/`);
    expect(await page.locator('h1').textContent()).toContain('TIME_WAIT');
    expect(await page.locator('[data-playground][data-id="lost-last-ack"] pre').textContent()).toContain("sim.fault({ action: 'drop'");
    expect(await page.locator('[data-playground] .expect__item').count()).toBeGreaterThan(0);
    expect(await page.locator('.sidebar a').count()).toBeGreaterThan(8);
    await context.close();
  }, 60_000);

  it('finds lessons with the search box (Pagefind)', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/`);
    await page.locator('#site-search').fill('assassination');
    await page.locator('.search__hit').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('.search__hit').first().getAttribute('href')).toContain('/lessons/two-msl/');
    await context.close();
  }, 60_000);

  it('answers unknown pages with the 404 page', async () => {
    const { context, page } = await newPage();
    const res = await page.goto(`${origin}/lessons/no-such-lesson/`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toMatch(/already closed/);
    await context.close();
  }, 30_000);

  it('switches theme with the toggle and remembers it', async () => {
    const { context, page } = await newPage({ colorScheme: 'light' });
    await page.goto(`${origin}/lessons/half-close/`);
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    await page.locator('.theme-toggle').click();
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    await page.reload();
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    await context.close();
  }, 30_000);

  it('takes screenshots of a lesson at desktop and phone width, light and dark', async () => {
    for (const [name, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page } = await newPage({ viewport, colorScheme: scheme, deviceScaleFactor: 1, isMobile: name === 'phone', hasTouch: name === 'phone' });
        await page.goto(`${origin}/lessons/four-way-close/`);
        await page.screenshot({ path: path.join(screenshotDir, `lesson-${name}-${scheme}.png`) });
        await runPlayground(page, 'four-way-close');
        await page.locator('[data-playground][data-id="four-way-close"]').screenshot({ path: path.join(screenshotDir, `playground-${name}-${scheme}.png`) });
        for (const [shot, url] of [['home', '/'], ['lab', '/labs/clean-client/'], ['not-found', '/nope/']] as const) {
          await page.goto(`${origin}${url}`);
          await page.screenshot({ path: path.join(screenshotDir, `${shot}-${name}-${scheme}.png`) });
        }
        if (name === 'phone') {
          // Nothing wider than the screen.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow).toBeLessThanOrEqual(1);
        }
        await context.close();
      }
    }
  }, 180_000);
});
