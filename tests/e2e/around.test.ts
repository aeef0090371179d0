// Around the lessons: the home page's Start/Continue and progress summary, the
// /lessons/ and /labs/ indexes, Copy buttons on code blocks, and search that says
// when nothing matches and what kind of page each result is.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** The course as its files describe it, read independently of the site's own outline code. */
type Front = { id: string; [field: string]: string };
function frontmatter(file: string): Record<string, string> {
  const m = /^---\n([\s\S]*?)\n---/.exec(readFileSync(file, 'utf8'));
  const out: Record<string, string> = {};
  for (const line of (m?.[1] ?? '').split('\n')) {
    const kv = /^(\w+):\s*(.*)$/.exec(line);
    if (kv) out[kv[1]!] = kv[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}
const lessons = readdirSync(path.join(root, 'content'))
  .filter((d) => existsSync(path.join(root, 'content', d, 'index.mdx')))
  .map((id): Front => ({ ...frontmatter(path.join(root, 'content', id, 'index.mdx')), id }))
  .sort((a, b) => Number(a.order) - Number(b.order));
const labs = readdirSync(path.join(root, 'labs'))
  .filter((d) => existsSync(path.join(root, 'labs', d, 'lab.mdx')))
  .map((id): Front => ({ ...frontmatter(path.join(root, 'labs', id, 'lab.mdx')), id }))
  .sort((a, b) => Number(a.order) - Number(b.order));
/** Reading order: each lesson followed by its labs. */
const readingOrder = lessons.flatMap((l) => [{ kind: 'lesson', id: l.id }, ...labs.filter((x) => x.lesson === l.id).map((x) => ({ kind: 'lab', id: x.id }))]);

async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

describe('the lessons and labs indexes', () => {
  it('/lessons/ answers 200 and lists every lesson in order, with its number, summary and labs, each link answering 200', async () => {
    const { context, page, errors } = await newPage();
    const res = await page.goto(`${origin}/lessons/`);
    expect(res?.status()).toBe(200);
    const cards = page.locator('[data-course-index="lessons"] > li');
    expect(await cards.count()).toBe(lessons.length);
    for (const [i, lesson] of lessons.entries()) {
      const card = cards.nth(i);
      expect(await card.getAttribute('data-lesson')).toBe(lesson.id);
      expect(await card.locator('.course-card__num').textContent()).toBe(String(i + 1));
      expect(await card.locator('h2 a').textContent()).toContain(lesson.title);
      expect(await card.textContent()).toContain(lesson.summary!.slice(0, 40));
      const labLinks = await card.locator('a.course-card__lab').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')));
      expect(labLinks).toEqual(labs.filter((l) => l.lesson === lesson.id).map((l) => `/labs/${l.id}/`));
    }
    const hrefs = await page.locator('[data-course-index="lessons"] a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const h of new Set(hrefs)) expect((await page.request.get(h)).status(), h).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('/labs/ answers 200 and lists every lab with its lesson, difficulty and points, each link answering 200', async () => {
    const { context, page, errors } = await newPage();
    const res = await page.goto(`${origin}/labs/`);
    expect(res?.status()).toBe(200);
    const cards = page.locator('[data-course-index="labs"] > li');
    expect(await cards.count()).toBe(labs.length);
    const listed = await cards.evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.lab));
    expect(listed).toEqual(readingOrder.filter((x) => x.kind === 'lab').map((x) => x.id));
    const difficulty: Record<string, string> = { intro: 'Introductory', core: 'Core', advanced: 'Advanced' };
    for (const lab of labs) {
      const card = page.locator(`[data-course-index="labs"] > li[data-lab="${lab.id}"]`);
      expect(await card.locator('h2 a').getAttribute('href')).toBe(`/labs/${lab.id}/`);
      expect(await card.locator('h2 a').textContent()).toBe(lab.title);
      expect(await card.locator('[data-lab-points]').textContent()).toBe(`${lab.points} points`);
      expect(await card.locator('[data-lab-difficulty]').textContent()).toBe(difficulty[lab.difficulty!]);
      expect(await card.locator('[data-lab-lesson]').getAttribute('href')).toBe(`/lessons/${lab.lesson}/`);
    }
    const hrefs = await page.locator('[data-course-index="labs"] a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const h of new Set(hrefs)) expect((await page.request.get(h)).status(), h).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('both indexes show the sidebar’s done marks: a finished lesson, and a lab passed with full marks', async () => {
    const { context, page } = await newPage();
    const lab = labs[0]!;
    await page.goto(`${origin}/lessons/`);
    await page.evaluate(
      ([lesson, lab]) => {
        localStorage.setItem('closing-time:progress', JSON.stringify({ [`lesson:${lesson}`]: Date.now() }));
        localStorage.setItem(`closing-time:lab:${lab}`, JSON.stringify({ bestScore: 9, maxScore: 9 }));
      },
      [lessons[0]!.id, lab.id],
    );
    await page.reload();
    const first = page.locator(`[data-course-index="lessons"] > li[data-lesson="${lessons[0]!.id}"]`);
    await expect.poll(() => first.getAttribute('class')).toMatch(/is-done/);
    expect(await first.locator('h2 .sidebar__done-text').textContent()).toBe(' (finished)');
    expect(await page.locator(`[data-course-index="lessons"] > li[data-lesson="${lessons[1]!.id}"]`).getAttribute('class')).not.toMatch(/is-done/);
    expect(await page.locator(`a.course-card__lab[data-progress-key="lab:${lab.id}"]`).getAttribute('class')).toMatch(/is-done/);
    await page.goto(`${origin}/labs/`);
    await expect.poll(() => page.locator(`li[data-lab="${lab.id}"]`).getAttribute('class')).toMatch(/is-done/);
    expect(await page.locator(`li[data-lab="${labs[1]!.id}"]`).getAttribute('class')).not.toMatch(/is-done/);
    await context.close();
  });
});

describe('the home page', () => {
  it('says Start and links to the first lesson when nothing is finished, also without JavaScript', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const { context, page } = await newPage({ javaScriptEnabled });
      await page.goto(`${origin}/`);
      const link = page.locator('[data-continue-link]');
      expect(await link.getAttribute('href')).toBe(`/lessons/${lessons[0]!.id}/`);
      expect(await link.locator('[data-continue-verb]').textContent()).toBe('Start');
      if (javaScriptEnabled) {
        await page.waitForSelector('[data-progress-summary]:not([hidden])');
        const nLabs = labs.length;
        expect(await page.locator('[data-progress-summary]').textContent()).toBe(`0 of ${lessons.length} lessons, 0 of ${nLabs} labs done`);
      } else {
        expect(await page.locator('[data-progress-summary]').isHidden()).toBe(true);
      }
      await context.close();
    }
  });

  it('Continue points at the first unfinished lesson or lab once lesson 1 is done, and the summary counts what is done', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${origin}/`);
    await page.evaluate((id) => localStorage.setItem('closing-time:progress', JSON.stringify({ [`lesson:${id}`]: Date.now() })), lessons[0]!.id);
    await page.reload();
    const link = page.locator('[data-continue-link]');
    await page.waitForSelector('[data-continue-link][data-state="continue"]');
    const next = readingOrder[1]!;
    expect(await link.getAttribute('href')).toBe(`/${next.kind}s/${next.id}/`);
    expect(await link.locator('[data-continue-verb]').textContent()).toBe('Continue');
    expect(await page.locator('[data-progress-summary]').textContent()).toBe(`1 of ${lessons.length} lessons, 0 of ${labs.length} labs done`);

    // Finishing that item too (a lab: full marks on its checker) moves Continue on to the one after it.
    await page.evaluate((n) => {
      if (n.kind === 'lab') localStorage.setItem(`closing-time:lab:${n.id}`, JSON.stringify({ bestScore: 5, maxScore: 5 }));
      else localStorage.setItem('closing-time:progress', JSON.stringify({ ...JSON.parse(localStorage.getItem('closing-time:progress')!), [`lesson:${n.id}`]: 1 }));
    }, next);
    await page.reload();
    await page.waitForSelector('[data-continue-link][data-state="continue"]');
    const after = readingOrder[2]!;
    expect(await link.getAttribute('href')).toBe(`/${after.kind}s/${after.id}/`);
    expect(await page.locator('[data-progress-summary]').textContent()).toBe(
      next.kind === 'lab' ? `1 of ${lessons.length} lessons, 1 of ${labs.length} labs done` : `2 of ${lessons.length} lessons, 0 of ${labs.length} labs done`,
    );
    await link.click();
    await page.waitForURL(`${origin}/${after.kind}s/${after.id}/`);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('copy buttons on code blocks', () => {
  it('copies a lesson’s code block to the clipboard and says Copied; playgrounds get no button', async () => {
    const { context, page, errors } = await newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const lesson = lessons.find((l) => /^```/m.test(readFileSync(path.join(root, 'content', l.id, 'index.mdx'), 'utf8')))!;
    await page.goto(`${origin}/lessons/${lesson.id}/`);
    const block = page.locator('.content .code-block').first();
    await block.waitFor();
    const button = block.locator('button.code-copy');
    expect(await button.textContent()).toBe('Copy');
    await button.click();
    await expect.poll(() => button.textContent()).toBe('Copied');
    const expected = (await block.locator('pre code').textContent())!.replace(/\n$/, '');
    expect(expected.length).toBeGreaterThan(10);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected);
    // It goes back to Copy after a moment.
    await page.waitForFunction((el) => el?.textContent === 'Copy', await button.elementHandle(), { timeout: 5000 });
    expect(await page.locator('[data-playground] .code-copy').count()).toBe(0);
    expect(await page.locator('[data-playground]').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is reached with Tab and pressed with Enter on a lab page, where the workbench gets no button', async () => {
    const { context, page } = await newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await page.goto(`${origin}/labs/${labs[0]!.id}/`);
    await page.locator('.lab-layout__task .code-copy').first().waitFor();
    expect(await page.locator('[data-lab-bench] .code-copy').count()).toBe(0);
    // Focus the element just before the first Copy button in tab order, then Tab onto it.
    const first = page.locator('.lab-layout__task .code-copy').first();
    let focused = false;
    await page.locator('.lab-layout__task h1').click();
    for (let i = 0; i < 60 && !focused; i++) {
      await page.keyboard.press('Tab');
      focused = await first.evaluate((b) => document.activeElement === b);
    }
    expect(focused).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => first.textContent()).toBe('Copied');
    const expected = (await page.locator('.lab-layout__task .code-block').first().locator('pre code').textContent())!.replace(/\n$/, '');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected);
    await context.close();
  });

  it('falls back to a selection copy when the Clipboard API is refused', async () => {
    const { context, page } = await newPage();
    // No clipboard permission, and writeText refuses: the textarea fallback must do the copying.
    await page.addInitScript(() => {
      (window as any).__copied = [] as string[];
      Object.defineProperty(navigator.clipboard, 'writeText', { value: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) });
      document.addEventListener('copy', () => (window as any).__copied.push(String(getSelection() ?? '') || (document.activeElement as HTMLTextAreaElement | null)?.value));
    });
    await page.goto(`${origin}/labs/${labs[0]!.id}/`);
    const button = page.locator('.lab-layout__task .code-copy').first();
    await button.click();
    await expect.poll(() => button.textContent()).toBe('Copied');
    const expected = (await page.locator('.lab-layout__task .code-block').first().locator('pre code').textContent())!.replace(/\n$/, '');
    expect(await page.evaluate(() => (window as any).__copied)).toEqual([expected]);
    await context.close();
  });
});

describe('search', () => {
  async function search(page: Page, q: string) {
    await page.locator('#site-search').click();
    await page.locator('#site-search').fill(q);
    await page.waitForSelector('#search-results:not([hidden]) :is(.search__hit, .search__empty)');
  }

  it('says nothing was found for a query that matches nothing ("xyzzy"), rather than a fuzzy lesson', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/lessons/${lessons[0]!.id}/`);
    await search(page, 'xyzzy');
    expect(await page.locator('#search-results .search__hit').count()).toBe(0);
    expect(await page.locator('#search-results .search__empty').textContent()).toBe('Nothing found for “xyzzy”');
    await context.close();
  });

  it('labels each result as a lesson or a lab (other pages as a page) and links to the matching section', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/`);
    await search(page, 'half-close');
    const hits = page.locator('#search-results .search__hit');
    const rows = await hits.evaluateAll((as) => as.map((a) => ({ href: (a as HTMLAnchorElement).getAttribute('href')!, kind: a.querySelector('.search__kind')?.textContent })));
    expect(rows.length).toBeGreaterThan(1);
    // Pages outside the course proper (the conformance report) say Page.
    for (const r of rows) expect(r.kind, r.href).toBe(r.href.startsWith('/labs/') ? 'Lab' : r.href.startsWith('/lessons/') ? 'Lesson' : 'Page');
    expect(rows.some((r) => r.kind === 'Lab')).toBe(true);
    expect(rows.some((r) => r.kind === 'Lesson')).toBe(true);
    // Results found inside a section link to that section, and the anchor exists on the page.
    const withAnchor = rows.find((r) => r.href.includes('#'));
    expect(withAnchor, JSON.stringify(rows)).toBeTruthy();
    await page.goto(`${origin}${withAnchor!.href}`);
    const id = decodeURIComponent(withAnchor!.href.split('#')[1]!);
    expect(await page.locator(`[id="${id}"]`).count()).toBe(1);
    await context.close();
  });
});

describe('what it looks like', () => {
  it('renders the home page, the indexes and a copy button at desktop and phone widths, light and dark', async () => {
    for (const theme of ['light', 'dark']) {
      for (const width of [1366, 390]) {
        const { context, page, errors } = await newPage({ viewport: { width, height: 900 } });
        await page.addInitScript((t) => {
          localStorage.setItem('closing-time:theme', t);
          localStorage.setItem('closing-time:progress', JSON.stringify({ 'lesson:four-way-close': 1 }));
        }, theme);
        for (const [name, url] of [['home', '/'], ['lessons', '/lessons/'], ['labs', '/labs/'], ['code', '/lessons/close-wait/']] as const) {
          await page.goto(`${origin}${url}`);
          if (name === 'code') await page.locator('.code-block').first().scrollIntoViewIfNeeded();
          if (name === 'home') await page.waitForSelector('[data-progress-summary]:not([hidden])');
          await page.screenshot({ path: path.join(screenshotDir, `around-${name}-${width}-${theme}.png`) });
          // Nothing overflows the page sideways.
          expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${name} ${width}`).toBe(true);
        }
        await page.goto(`${origin}/`);
        await page.locator('#site-search').fill('half-close');
        await page.waitForSelector('#search-results:not([hidden]) .search__kind');
        await page.screenshot({ path: path.join(screenshotDir, `around-search-${width}-${theme}.png`) });
        // The results stay on screen, at phone width too.
        const box = (await page.locator('#search-results').boundingBox())!;
        expect(box.x, `search results at ${width}`).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, `search results at ${width}`).toBeLessThanOrEqual(width);
        expect(errors).toEqual([]);
        await context.close();
      }
    }
  }, 180_000);
});
