// The ladder diagram as a learner uses it: a click (or the arrow keys) opens a
// segment's packet details, which agree with the console; the numbering switch
// changes the diagram and the console together; a run of many connections shows
// ports on its arrows and a picker that draws one connection.
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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

async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

async function runPlayground(page: Page, id: string, timeout = 30_000): Promise<void> {
  const pg = page.locator(`[data-playground][data-id="${id}"]`);
  await pg.scrollIntoViewIfNeeded();
  await pg.locator('[data-action="run"]').click();
  await page.waitForFunction((el) => el?.getAttribute('data-state') === 'done', await pg.elementHandle(), { timeout });
}

const consoleText = (page: Page, id: string) =>
  page.evaluate((pid) => (document.querySelector(`[data-playground][data-id="${pid}"]`) as any).playground.consoleText() as string, id);

/** A point `offset` px beside the middle of an arrow's drawn line, in page coordinates (below it, away from its label). */
async function besideArrow(page: Page, selector: string, offset: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ({ selector, offset }) => {
      const line = document.querySelector(selector)!.querySelector('.lad-line') as SVGLineElement;
      const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((k) => Number(line.getAttribute(k)));
      const len = Math.hypot(x2! - x1!, y2! - y1!);
      // The unit normal that points down the page.
      let nx = -(y2! - y1!) / len;
      let ny = (x2! - x1!) / len;
      if (ny < 0) [nx, ny] = [-nx, -ny];
      const pt = line.ownerSVGElement!.createSVGPoint();
      pt.x = (x1! + x2!) / 2 + nx * offset;
      pt.y = (y1! + y2!) / 2 + ny * offset;
      const p = pt.matrixTransform(line.getScreenCTM()!);
      return { x: p.x, y: p.y };
    },
    { selector, offset },
  );
}

describe('ladder diagram', () => {
  it('opens the packet panel for a clicked segment, with the flags and absolute seq the console printed', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${origin}/lessons/four-way-close/`);
    await runPlayground(page, 'four-way-close');
    const pg = page.locator('[data-playground][data-id="four-way-close"]');
    const panel = pg.locator('[data-packet-panel]');
    expect(await panel.isHidden()).toBe(true);

    // Click 5 px beside the SYN's 1.6 px line: the hit area takes it.
    const syn = pg.locator('svg.ladder .lad-arrow--syn').first();
    const synN = await syn.getAttribute('data-n');
    await syn.scrollIntoViewIfNeeded();
    const p = await besideArrow(page, `[data-playground][data-id="four-way-close"] svg.ladder .lad-arrow--syn[data-n="${synN}"]`, 5);
    await page.mouse.click(p.x, p.y);
    await panel.waitFor({ state: 'visible' });
    expect(await panel.getAttribute('data-n')).toBe(synN);
    expect(await panel.locator('[data-field="flags"]').textContent()).toBe('S');
    const printed = (await consoleText(page, 'four-way-close')).match(/Flags \[S\], seq (\d+)/)![1];
    expect(await panel.locator('[data-field="seq"] [data-abs]').textContent()).toBe(printed);
    expect(await panel.locator('[data-field="seq"] [data-rel]').textContent()).toBe('0');
    expect(await panel.locator('[data-field="sender"]').textContent()).toContain('CLOSED → SYN_SENT');
    expect(await panel.locator('[data-field="receiver"]').textContent()).toContain('LISTEN → SYN_RECEIVED');
    expect(await panel.locator('[data-field="options"]').textContent()).toMatch(/TS val \d+ ecr 0/);
    // The click also selects the console line, and ports are on the arrow.
    expect((await page.evaluate(() => (document.querySelector('[data-playground][data-id="four-way-close"]') as any).playground.consoleSelection() as string))).toContain('Flags [S]');
    expect(await syn.locator('.lad-label').textContent()).toMatch(/^S \d+→80 seq 0$/);

    // Escape closes it; the close button too.
    await pg.locator('[data-ladder]').focus();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('steps through the segments with the arrow keys on the diagram, the panel following', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${origin}/lessons/four-way-close/`);
    await runPlayground(page, 'four-way-close');
    const pg = page.locator('[data-playground][data-id="four-way-close"]');
    const panel = pg.locator('[data-packet-panel]');
    await pg.locator('[data-ladder]').focus();
    await page.keyboard.press('Home');
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('ArrowDown');
      const active = pg.locator('svg.ladder .is-active');
      await active.waitFor();
      const n = (await active.getAttribute('data-n'))!;
      if ((await active.getAttribute('class'))!.includes('lad-arrow')) {
        await page.waitForFunction(([el, want]) => (el as HTMLElement).dataset.n === want && !(el as HTMLElement).hidden, [await panel.elementHandle(), n] as const);
        seen.add((await panel.locator('[data-field="flags"]').textContent())!);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['S', 'S.', 'P.']));
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('switches the diagram and the console to absolute sequence numbers together', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/four-way-close/`);
    await runPlayground(page, 'four-way-close');
    const pg = page.locator('[data-playground][data-id="four-way-close"]');
    const fin = pg.locator('svg.ladder .lad-arrow--fin').first();
    const [, relSeq, relAck] = (await fin.locator('.lad-label').textContent())!.match(/seq (\d+) ack (\d+)$/)!;
    expect(Number(relSeq)).toBeLessThan(1000);
    // The console writes the trace in frames: wait for the FIN's line rather than reading it in the same turn.
    await expect.poll(() => consoleText(page, 'four-way-close'), { timeout: 20_000 }).toContain(`Flags [F.], seq ${relSeq}, ack ${relAck},`);
    await pg.locator('[data-ladder-numbering]').selectOption('absolute');
    await expect.poll(() => consoleText(page, 'four-way-close')).toMatch(/Flags \[F\.\], seq \d{4,}, ack \d{4,}/);
    const text = await consoleText(page, 'four-way-close');
    const [, seq, ack] = text.match(/Flags \[F\.\], seq (\d+), ack (\d+)/)!;
    expect(await pg.locator('svg.ladder .lad-arrow--fin').first().locator('.lad-label').textContent()).toMatch(new RegExp(`seq ${seq} ack ${ack}$`));
    await pg.locator('svg.ladder .lad-arrow--fin .lad-hit').first().click({ force: true });
    expect(await pg.locator('[data-packet-panel] [data-field="seq"] [data-abs]').textContent()).toBe(seq);
    await context.close();
  }, 90_000);

  it('puts ports on port-exhaustion’s arrows and draws one connection at a time from a picker', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${origin}/lessons/port-exhaustion/`);
    await runPlayground(page, 'port-exhaustion', 60_000);
    const pg = page.locator('[data-playground][data-id="port-exhaustion"]');
    const labels = await pg.locator('svg.ladder .lad-arrow .lad-label').allTextContents();
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(l).toMatch(/ \d+→\d+ /);
    const picker = pg.locator('[data-ladder-conn]');
    expect(await picker.isVisible()).toBe(true);
    const options = await picker.locator('option').allTextContents();
    expect(options[0]).toMatch(/^All connections \(\d+\)$/);
    expect(options.length).toBeGreaterThan(4);
    expect(options[1]).toMatch(/^10\.\d+\.\d+\.\d+:\d+ ↔ 10\.\d+\.\d+\.\d+:80 · \d+ segments$/);
    // More than three connections: the first is drawn alone.
    const port = options[1]!.split(' ↔ ')[0]!.split(':')[1]!;
    for (const l of labels) expect(l.split(' ')[1]!.split('→')).toContain(port);
    const oneHeight = Number(await pg.locator('svg.ladder').getAttribute('height'));
    await picker.selectOption('');
    await page.waitForFunction((el) => Number((el as HTMLElement).dataset.arrows) > 20, await pg.locator('[data-ladder]').elementHandle());
    expect(Number(await pg.locator('svg.ladder').getAttribute('height'))).toBeGreaterThan(oneHeight);
    await picker.selectOption({ index: 2 });
    const port2 = options[2]!.split(' ↔ ')[0]!.split(':')[1]!;
    await expect.poll(async () => (await pg.locator('svg.ladder .lad-arrow--syn .lad-label').first().textContent()) ?? '').toContain(`${port2}→80`);
    // The host names stay in view while the diagram scrolls.
    await picker.selectOption('');
    const ladder = pg.locator('[data-ladder]');
    await ladder.evaluate((el) => (el.scrollTop = 2000));
    const head = await ladder.locator('.lad-head').boundingBox();
    const box = await ladder.boundingBox();
    expect(Math.abs(head!.y - box!.y)).toBeLessThanOrEqual(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('takes screenshots of the ladder with its packet panel at desktop and phone width, light and dark', async () => {
    for (const [name, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page } = await newPage({ viewport, colorScheme: scheme, isMobile: name === 'phone', hasTouch: name === 'phone' });
        await page.addInitScript((s) => localStorage.setItem('closing-time:theme', s), scheme);
        await page.goto(`${origin}/lessons/port-exhaustion/`);
        await runPlayground(page, 'port-exhaustion', 60_000);
        const pg = page.locator('[data-playground][data-id="port-exhaustion"]');
        await pg.locator('svg.ladder .lad-arrow--fin .lad-hit').first().click({ force: true });
        await pg.locator('[data-packet-panel]').waitFor({ state: 'visible' });
        await pg.locator('.pg-pane--ladder').screenshot({ path: path.join(screenshotDir, `ladder-${name}-${scheme}.png`) });
        if (name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
        await page.goto(`${origin}/lessons/four-way-close/`);
        await runPlayground(page, 'four-way-close');
        const fw = page.locator('[data-playground][data-id="four-way-close"]');
        await fw.locator('[data-ladder]').focus();
        await page.keyboard.press('Home');
        await page.keyboard.press('ArrowDown');
        await fw.locator('.pg-pane--ladder').screenshot({ path: path.join(screenshotDir, `ladder-four-way-${name}-${scheme}.png`) });
        await context.close();
      }
    }
  }, 240_000);
});
