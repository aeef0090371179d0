// Measures the site's performance budgets on the built site (dist/site) in
// headless Chromium:
//   site.lessonJsGzipKB     JavaScript a lesson page loads before any playground is touched (gzip), budget 60
//   site.runToFirstTraceMs  Run click to the first trace line in the console, editor loaded, budget 100
//   site.lessonLcpMs        Largest Contentful Paint of a lesson page from localhost, budget 1000
//   site.firstTouchKB       bytes transferred (the server's brotli, headers included) from the first touch of a
//                           playground (pointer in, Run pressed) to its first trace line, budget 1536 (1.5 MB)
// Run alone with `npx tsx scripts/bench-site.ts`; `npm run bench` calls benchSite().
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createApp } from '../src/server/app.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const siteDir = path.join(root, 'dist', 'site');
const LESSON = '/lessons/four-way-close/';
const PLAYGROUND = 'four-way-close';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const SITE_BUDGETS = { 'site.lessonJsGzipKB': 60, 'site.runToFirstTraceMs': 100, 'site.lessonLcpMs': 1000, 'site.firstTouchKB': 1536 } as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchSite(): Promise<Record<string, number>> {
  if (!existsSync(path.join(siteDir, 'index.html'))) {
    const r = spawnSync('npm', ['run', 'build:site'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build:site failed');
  }
  const server = await createApp({ root: siteDir }).listen(0, '127.0.0.1');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
  try {
    // 1. JavaScript before any playground is touched: every script response, gzipped.
    let jsGzip = 0;
    {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const pending: Promise<void>[] = [];
      page.on('response', (res) => {
        const type = res.headers()['content-type'] ?? '';
        if (!/javascript/.test(type)) return;
        pending.push(res.body().then((b) => void (jsGzip += gzipSync(b, { level: 9 }).length)).catch(() => undefined));
      });
      // Park the pointer away from the page so nothing is "touched".
      await page.mouse.move(0, 0);
      await page.goto(`${origin}${LESSON}`, { waitUntil: 'networkidle' });
      await page.waitForTimeout(500);
      await Promise.all(pending);
      await context.close();
    }

    // 2. LCP of a lesson page, median of 3 fresh loads.
    const lcps: number[] = [];
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${origin}${LESSON}`, { waitUntil: 'load' });
      const lcp = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            new PerformanceObserver((list) => {
              const entries = list.getEntries();
              resolve(entries[entries.length - 1]!.startTime);
            }).observe({ type: 'largest-contentful-paint', buffered: true });
            setTimeout(() => resolve(-1), 3000);
          }),
      );
      lcps.push(lcp);
      await context.close();
    }

    // 3. Bytes on the wire from the first touch to the first trace line: Run pressed on a
    // page that has not touched a playground, every request of the page and its workers
    // that finished by then (compressed body and headers, as Chromium received them).
    let firstTouchBytes = 0;
    {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.mouse.move(0, 0);
      await page.goto(`${origin}${LESSON}`, { waitUntil: 'networkidle' });
      const pg = page.locator(`[data-playground][data-id="${PLAYGROUND}"]`);
      await pg.scrollIntoViewIfNeeded();
      let touching = false;
      let counted = true;
      const sizes: Promise<number>[] = [];
      context.on('requestfinished', (req) => {
        if (!touching || !counted) return;
        sizes.push(
          (async () => {
            const sizes = await req.sizes();
            // Chromium reports no body size for a worker's own script: its Content-Length is the bytes sent.
            const length = Number((await req.response())?.headers()['content-length'] ?? 0);
            return (sizes.responseBodySize || length) + sizes.responseHeadersSize;
          })().catch(() => 0),
        );
      });
      touching = true;
      await pg.locator('[data-action="run"]').click();
      await page.waitForFunction((el) => el?.hasAttribute('data-run-latency-ms'), await pg.elementHandle(), { timeout: 60_000 });
      counted = false;
      firstTouchBytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
      await context.close();
    }

    // 4. Run to first trace line, with the editor loaded; median of 5 runs.
    const latencies: number[] = [];
    const batches: number[] = [];
    {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${origin}${LESSON}`, { waitUntil: 'load' });
      const pg = page.locator(`[data-playground][data-id="${PLAYGROUND}"]`);
      await pg.scrollIntoViewIfNeeded();
      await pg.hover();
      await page.waitForFunction((el) => el?.getAttribute('data-editor') === 'ready', await pg.elementHandle(), { timeout: 60_000 });
      for (let i = 0; i < 6; i++) {
        await pg.locator('[data-action="run"]').click();
        await page.waitForFunction((el) => el?.getAttribute('data-state') === 'done' && el.hasAttribute('data-run-latency-ms'), await pg.elementHandle(), { timeout: 30_000 });
        const ms = Number(await pg.getAttribute('data-run-latency-ms'));
        if (i > 0) {
          // The first run also starts the worker's module.
          latencies.push(ms);
          batches.push(Number(await pg.getAttribute('data-first-batch-ms')));
        }
      }
      await context.close();
    }

    return {
      'site.lessonJsGzipKB': Math.round((jsGzip / 1024) * 10) / 10,
      'site.runToFirstTraceMs': median(latencies),
      // Of which: until the worker's first batch of events reaches the page.
      'site.runToFirstBatchMs': median(batches),
      'site.lessonLcpMs': Math.round(median(lcps)),
      'site.firstTouchKB': Math.round((firstTouchBytes / 1024) * 10) / 10,
    };
  } finally {
    await browser.close();
    server.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = await benchSite();
  for (const [name, value] of Object.entries(results)) {
    const budget = SITE_BUDGETS[name as keyof typeof SITE_BUDGETS];
    const verdict = budget === undefined ? '' : `   budget ${budget}${value <= budget ? '' : '  OVER BUDGET'}`;
    console.log(`${name.padEnd(24)} ${String(value).padStart(8)}${verdict}`);
  }
}
