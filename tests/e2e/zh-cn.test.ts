// The Simplified Chinese edition in a real browser: a lesson's playgrounds run
// and tick off what its (Chinese) text says to look for; a lab's Check explains
// in Chinese; the language switch keeps the reader on the same lesson with the
// editor content and progress; search on a Chinese page searches the Chinese
// index (Pagefind segments the CJK query); screenshots at desktop and phone
// width, light and dark.
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';
import { ensureBuilt, launchChromium, root, screenshotDir, startSite } from './browser.ts';

let browser: Browser;
let server: Server;
let origin: string;
const HAN = /\p{Script=Han}/u;
const contentDir = path.join(root, 'content');

beforeAll(async () => {
  ensureBuilt();
  ({ server, origin } = await startSite());
  browser = await launchChromium();
}, 900_000);

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

async function editorReady(page: Page, id: string) {
  const pg = page.locator(`[data-playground][data-id="${id}"]`);
  await pg.hover();
  await page.waitForFunction((el) => el?.getAttribute('data-editor') === 'ready', await pg.elementHandle(), { timeout: 30_000 });
  return pg;
}

describe('Simplified Chinese edition', () => {
  it('a zh-CN lesson page runs its playgrounds and meets every expectation, listed in Chinese', async () => {
    const { context, page, errors } = await newPage();
    const res = await page.goto(`${origin}/zh-cn/lessons/four-way-close/`);
    expect(res?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.locator('h1').textContent()).toBe('一条连接是怎样结束的');
    const pgs = playgroundsOfLesson(contentDir, 'four-way-close', 'index.zh-cn.mdx');
    expect(await page.locator('[data-playground]').count()).toBe(pgs.length);
    for (const pg of pgs) {
      await runPlayground(page, pg.id);
      const el = page.locator(`[data-playground][data-id="${pg.id}"]`);
      expect(await el.locator('[data-expect-index]').count()).toBe(pg.expect.length);
      expect(await el.locator('[data-expect-index][data-met="false"]').allTextContents(), `${pg.id}: not seen`).toEqual([]);
      expect(await el.locator('.expect__title').textContent()).toBe('在轨迹中留意这些');
      expect(await el.locator('[data-action="run"]').textContent()).toContain('运行');
      // The status line and the console's words are the page's; the trace is as the simulator prints it.
      expect(HAN.test((await el.locator('[data-status]').textContent()) ?? '')).toBe(true);
    }
    expect(await page.locator('[data-playground][data-id="four-way-close"] [data-expect-index="0"]').textContent()).toContain('客户端先发出 FIN（[F.]）');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('a zh-CN lab check lists the checks and explains the failures in Chinese', async () => {
    const { context, page } = await newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${origin}/zh-cn/labs/clean-client/`);
    expect(await page.locator('.lab-bench__title#checks').textContent()).toBe('检查项');
    // The Run checklist is in Chinese too (labs/<lab>/messages.ts expectLabels).
    const checklist = await page.locator('.lab-bench .expect__item').allTextContents();
    expect(checklist.length).toBeGreaterThan(0);
    expect(checklist[0]).toContain('回复分三段到达，fetchAll 仍然返回全部字节');
    for (const item of checklist) expect(HAN.test(item), item).toBe(true);
    await page.click('[data-action="check"]');
    await page.waitForSelector('.lab-bench:is([data-state="pass"], [data-state="fail"], [data-state="error"])', { timeout: 60_000 });
    const names = await page.locator('.lab-check__name').allTextContents();
    expect(names[0]).toMatch(/^返回完整的回复/);
    const messages = await page.locator('.lab-check__message').allTextContents();
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(HAN.test(m), m).toBe(true);
    expect(await page.locator('[data-check-status]').textContent()).toMatch(/个检查项中通过 \d+ 个/);
    await page.screenshot({ path: path.join(screenshotDir, 'zh-cn-lab-checked.png') });
    await context.close();
  }, 120_000);

  it('switching language mid-lesson lands on the same lesson with the editor content and progress kept', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/four-way-close/`);
    const marker = '// 我的实验 my-experiment';
    let pg = await editorReady(page, 'four-way-close');
    await pg.locator('.monaco-editor').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.insertText(`${marker}\n`);
    await page.locator('[data-mark-done]').click();
    // Switch at once, inside the editor's save debounce: leaving the page saves it.
    await page.locator('.lang-switch').click();
    await page.waitForURL(`${origin}/zh-cn/lessons/four-way-close/`);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    pg = await editorReady(page, 'four-way-close');
    await expect.poll(() => pg.locator('.monaco-editor .view-lines').textContent()).toContain('my-experiment');
    expect(await page.locator('.sidebar a[data-progress-key="lesson:four-way-close"]').getAttribute('class')).toMatch(/is-done/);
    expect(await page.locator('[data-mark-done] .mark-done__label').textContent()).toBe('已完成 ✓（点击撤销）');
    // And back.
    await page.locator('.lang-switch').click();
    await page.waitForURL(`${origin}/lessons/four-way-close/`);
    pg = await editorReady(page, 'four-way-close');
    await expect.poll(() => pg.locator('.monaco-editor .view-lines').textContent()).toContain('my-experiment');
    await context.close();
  }, 90_000);

  it('links the editions with hreflang, and a page not yet translated switches to the Chinese home', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/four-way-close/`);
    expect(await page.locator('link[rel="alternate"][hreflang="zh-CN"]').getAttribute('href')).toMatch(/\/zh-cn\/lessons\/four-way-close\/$/);
    expect(await page.locator('link[rel="alternate"][hreflang="x-default"]').getAttribute('href')).toMatch(/\/lessons\/four-way-close\/$/);
    await page.goto(`${origin}/zh-cn/lessons/four-way-close/`);
    expect(await page.locator('link[rel="alternate"][hreflang="en"]').getAttribute('href')).toMatch(/^(?!.*zh-cn).*\/lessons\/four-way-close\/$/);
    if (!existsSync(path.join(contentDir, 'so-linger', 'index.zh-cn.mdx'))) {
      await page.goto(`${origin}/lessons/so-linger/`);
      expect(await page.locator('link[rel="alternate"][hreflang="zh-CN"]').count()).toBe(0);
      expect(await page.locator('.lang-switch').getAttribute('href')).toBe('/zh-cn/');
      expect((await page.request.get(`${origin}/zh-cn/lessons/so-linger/`)).status()).toBe(404);
      // The Chinese sidebar lists it with its English title, linking to the English page.
      await page.goto(`${origin}/zh-cn/`);
      expect(await page.locator('.sidebar a[data-progress-key="lesson:so-linger"]').getAttribute('href')).toBe('/lessons/so-linger/');
    }
    const notFound = await page.goto(`${origin}/zh-cn/no-such-page/`);
    expect(notFound?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('这条连接已经关闭了');
    await context.close();
  }, 60_000);

  it('writes the Chinese 404 page as zh-cn/404.html too, where a static host looks for a folder\'s own 404 page', () => {
    const site = path.join(root, 'dist', 'site');
    const copy = readFileSync(path.join(site, 'zh-cn', '404.html'), 'utf8');
    expect(copy).toBe(readFileSync(path.join(site, 'zh-cn', '404', 'index.html'), 'utf8'));
    expect(copy).toContain('<html lang="zh-CN"');
    expect(copy).toContain('<h1>这条连接已经关闭了</h1>');
    expect(readFileSync(path.join(site, '404.html'), 'utf8')).not.toContain('这条连接已经关闭了');
  });

  it('a Chinese search on a Chinese page finds the lesson in the Chinese index', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/zh-cn/`);
    await page.locator('#site-search').fill('四次挥手');
    await page.locator('.search__hit').first().waitFor({ timeout: 10_000 });
    const hrefs = await page.locator('.search__hit').evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
    expect(hrefs[0]).toContain('/zh-cn/lessons/four-way-close/');
    expect(hrefs.every((h) => h.includes('/zh-cn/'))).toBe(true);
    expect(await page.locator('.search__kind').first().textContent()).toBe('课程');
    await context.close();
  }, 60_000);

  it.runIf(existsSync(path.join(contentDir, 'port-exhaustion', 'index.zh-cn.mdx')))('finds the port-exhaustion lesson for 端口耗尽', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/zh-cn/`);
    await page.locator('#site-search').fill('端口耗尽');
    await page.locator('.search__hit').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('.search__hit').first().getAttribute('href')).toContain('/zh-cn/lessons/port-exhaustion/');
    await context.close();
  }, 60_000);

  it('shows the workshop join page in Chinese, with its switch to the English one and its messages in Chinese', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${origin}/zh-cn/workshop/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('h1').textContent()).toBe('加入工作坊');
    expect(await page.locator('.ws-field__label').allTextContents()).toEqual(['加入码', '你的名字']);
    expect(await page.locator('.lang-switch').getAttribute('href')).toBe('/workshop/');
    expect(await page.locator('link[rel="alternate"][hreflang="en"]').getAttribute('href')).toMatch(/\/workshop\/$/);
    // A static copy of the site has no workshop server: the page says so in Chinese.
    const status = page.locator('[data-me-status]');
    await expect.poll(async () => (await status.isVisible()) && (await status.textContent())).toMatch(/没有部署工作坊服务器/);
    await page.goto(`${origin}/workshop/`);
    expect(await page.locator('h1').textContent()).toBe('Join a workshop');
    expect(await page.locator('.lang-switch').getAttribute('href')).toBe('/zh-cn/workshop/');
    expect(errors).toEqual([]);
    await context.close();
    for (const [name, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const shot = await newPage({ viewport, colorScheme: scheme, deviceScaleFactor: 1, isMobile: name === 'phone', hasTouch: name === 'phone' });
        await shot.page.goto(`${origin}/zh-cn/workshop/`);
        await shot.page.screenshot({ path: path.join(screenshotDir, `zh-cn-workshop-${name}-${scheme}.png`), fullPage: true });
        expect(await shot.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), `${name} ${scheme}`).toBeLessThanOrEqual(1);
        await shot.context.close();
      }
    }
  }, 60_000);

  it('the zh-CN conformance page and a zh-CN run summary are in Chinese, trace and kernel output as printed', async () => {
    const { context, page, errors } = await newPage();
    const res = await page.goto(`${origin}/zh-cn/conformance/`);
    expect(res?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.locator('h1').textContent()).toBe('模拟器与 Linux 的对照');
    expect(await page.locator('h2').allTextContents()).toEqual(['概览', '怎样对照', '场景', '在两边运行的程序']);
    expect(await page.locator('.facts dt').first().textContent()).toBe('内核');
    expect(HAN.test((await page.locator('.scenario .badge').first().textContent()) ?? '')).toBe(true);
    expect(await page.locator('link[rel="alternate"][hreflang="en"]').getAttribute('href')).toMatch(/^(?!.*zh-cn).*\/conformance\/$/);
    // The Chinese sidebar leads to the Chinese page; the English page links its Chinese edition.
    expect(await page.locator('.sidebar a[href$="/conformance/"]').first().getAttribute('href')).toBe('/zh-cn/conformance/');
    await page.goto(`${origin}/conformance/`);
    expect(await page.locator('h1').textContent()).toBe('The simulator against Linux');
    expect(await page.locator('link[rel="alternate"][hreflang="zh-CN"]').getAttribute('href')).toMatch(/\/zh-cn\/conformance\/$/);

    await page.goto(`${origin}/zh-cn/lessons/four-way-close/`);
    await runPlayground(page, 'four-way-close');
    const consoleText = () => page.evaluate(() => (document.querySelector('[data-playground][data-id="four-way-close"]') as any).playground.consoleText() as string);
    await expect.poll(consoleText, { timeout: 10_000 }).toMatch(/引擎事件 \d+ 个/);
    const text = (await consoleText()).replace(/\n(?! *\d+\.\d{3} )/g, '');
    expect(text).toMatch(/运行在虚拟时间 [\d.]+ (s|ms) 结束：已没有待处理的事件。/);
    expect(text).toMatch(/引擎事件 \d+ 个，轨迹事件 \d+ 个。/);
    expect(text).not.toMatch(/The run ended at|engine events/);
    expect(await page.locator('[data-playground][data-id="four-way-close"] [data-status]').textContent()).toMatch(/^运行在虚拟时间 /);
    expect(text).toContain("Flags [F.]");
    // The packet panel of a segment speaks Chinese too.
    const pg = page.locator('[data-playground][data-id="four-way-close"]');
    await pg.locator('svg.ladder .lad-arrow--syn').first().dispatchEvent('click');
    const panel = pg.locator('[data-packet-panel]');
    await panel.waitFor({ state: 'visible' });
    expect(await panel.locator('[data-field="flags"]').textContent()).toBe('S');
    expect(await panel.locator('dt').allTextContents()).toEqual(['标志位', 'Seq', 'Ack', '窗口', '数据', '选项', '去向', '发送方', '接收方']);
    await pg.screenshot({ path: path.join(screenshotDir, 'zh-cn-packet-panel-desktop-light.png') });
    for (const [name, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const shot = await newPage({ viewport, colorScheme: scheme, deviceScaleFactor: 1, isMobile: name === 'phone', hasTouch: name === 'phone' });
        await shot.page.goto(`${origin}/zh-cn/conformance/`);
        await shot.page.screenshot({ path: path.join(screenshotDir, `zh-cn-conformance-${name}-${scheme}.png`) });
        const overflow = await shot.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `conformance ${name}`).toBeLessThanOrEqual(1);
        await shot.context.close();
      }
    }
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('renders Chinese in a CJK font, at desktop and phone width, light and dark, with nothing clipped', async () => {
    for (const [name, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page } = await newPage({ viewport, colorScheme: scheme, deviceScaleFactor: 1, isMobile: name === 'phone', hasTouch: name === 'phone' });
        for (const [shot, url] of [['lesson', '/zh-cn/lessons/four-way-close/'], ['home', '/zh-cn/'], ['lab', '/zh-cn/labs/clean-client/'], ['not-found', '/zh-cn/nope/']] as const) {
          await page.goto(`${origin}${url}`);
          await page.screenshot({ path: path.join(screenshotDir, `zh-cn-${shot}-${name}-${scheme}.png`) });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `${shot} ${name}`).toBeLessThanOrEqual(1);
        }
        await page.goto(`${origin}/zh-cn/lessons/four-way-close/`);
        const family = await page.evaluate(() => getComputedStyle(document.querySelector('.content p')!).fontFamily);
        expect(family).toMatch(/Noto Sans CJK SC|PingFang SC|Microsoft YaHei/);
        await runPlayground(page, 'four-way-close');
        const pg = page.locator('[data-playground][data-id="four-way-close"]');
        await pg.screenshot({ path: path.join(screenshotDir, `zh-cn-playground-${name}-${scheme}.png`) });
        // No button's label is cut off.
        const clipped = await pg.locator('.pg-btn, .lang-switch').evaluateAll((els) =>
          els.filter((e) => (e as HTMLElement).offsetParent !== null && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)).map((e) => e.textContent),
        );
        expect(clipped).toEqual([]);
        await context.close();
      }
    }
  }, 240_000);
});
