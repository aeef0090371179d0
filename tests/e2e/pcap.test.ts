// The playground's Download .pcap button in a real browser: disabled until a
// run has sent segments, then it saves <playground-id>.pcap, a libpcap file
// that tcpdump reads, one packet per segment the run sent.
import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, launchChromium, screenshotDir, startSite } from './browser.ts';

const inCI = process.env.CI === 'true' || process.env.CI === '1';
const tcpdumpMissing = spawnSync('tcpdump', ['--version']).error ? 'tcpdump is not installed (Debian: apt-get install tcpdump)' : null;
if (tcpdumpMissing && !inCI) console.warn(`pcap e2e: reading the download back with tcpdump skipped: ${tcpdumpMissing}`);

let browser: Browser;
let server: Server;
let origin: string;
const downloads = mkdtempSync(path.join(tmpdir(), 'ct-pcap-e2e-'));

beforeAll(async () => {
  ensureBuilt();
  ({ server, origin } = await startSite());
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function runPlayground(page: Page, id: string): Promise<void> {
  const pg = page.locator(`[data-playground][data-id="${id}"]`);
  await pg.scrollIntoViewIfNeeded();
  await pg.locator('[data-action="run"]').click();
  await page.waitForFunction((el) => el?.getAttribute('data-state') === 'done', await pg.elementHandle(), { timeout: 30_000 });
}

describe('Download .pcap', () => {
  it('is disabled before a run, then saves <playground-id>.pcap that tcpdump reads, one packet per sent segment', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${origin}/lessons/four-way-close/`);
    const pg = page.locator('[data-playground][data-id="four-way-close"]');
    const button = pg.locator('[data-action="pcap"]');
    await pg.scrollIntoViewIfNeeded();
    await expect.poll(() => button.isVisible()).toBe(true);
    expect(await button.isDisabled()).toBe(true);
    expect((await button.textContent())?.trim()).toMatch(/Download \.pcap$/);

    await runPlayground(page, 'four-way-close');
    expect(await button.isEnabled()).toBe(true);
    const sent = await pg.evaluate(
      (el) => ((el as any).playground.events as { kind: string; action?: string; seg?: { flags: string; seq: number } }[]).filter((e) => e.kind === 'segment' && e.action === 'send').map((e) => `${e.seg!.flags} ${e.seg!.seq}`),
    );
    expect(sent.length).toBeGreaterThanOrEqual(7);

    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe('four-way-close.pcap');
    const file = path.join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    expect(bytes.readUInt32LE(20)).toBe(101);

    if (tcpdumpMissing) {
      if (inCI) expect.fail(`CI=true but ${tcpdumpMissing}`);
    } else {
      const r = spawnSync('tcpdump', ['-r', file, '-nn', '-tt', '-S', '-v'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/link-type RAW/);
      const packets = [...r.stdout.matchAll(/Flags \[([^\]]*)\], cksum 0x[0-9a-f]{4} \(correct\), (?:seq (\d+))?/g)].map((m) => [m[1], m[2]]);
      expect(packets.length).toBe(sent.length);
      // Flags, and seq where tcpdump shows it, in the order the run sent them.
      packets.forEach(([flags, seq], i) => {
        const [f, s] = sent[i]!.split(' ');
        expect(flags).toBe(f);
        if (seq !== undefined) expect(seq).toBe(s);
      });
      expect(r.stdout).not.toMatch(/bad cksum|incorrect/);
    }
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('sits with the other controls at desktop and phone width, light and dark (screenshots)', async () => {
    for (const [name, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1, isMobile: name === 'phone', hasTouch: name === 'phone' });
        const page = await context.newPage();
        await page.goto(`${origin}/lessons/four-way-close/`);
        await runPlayground(page, 'four-way-close');
        const controls = page.locator('[data-playground][data-id="four-way-close"] .playground__controls');
        await controls.screenshot({ path: path.join(screenshotDir, `pcap-controls-${name}-${scheme}.png`) });
        // The button stays inside the playground and is not squeezed onto two lines.
        const box = (await controls.locator('[data-action="pcap"]').boundingBox())!;
        const area = (await controls.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(area.x + area.width + 0.5);
        expect(box.height).toBeLessThan(40);
        if (name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
        await context.close();
      }
    }
  }, 120_000);
});
