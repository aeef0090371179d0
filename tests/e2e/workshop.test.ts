// Workshop mode in a real browser, against the real server (src/server/main.ts
// on a temporary DATA_DIR): an instructor opens the dashboard with the link the
// API hands out, two learners join from their own browsers and press Check on a
// lab, one with the starter and one with the reference solution; the dashboard
// shows both without a reload, and the sticking points name the failing checks.
// The workshop pages run under the server's Content-Security-Policy, so any
// inline script or handler would show here as a violation.
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, labFile, startServer, type TestServer } from '../server/harness.ts';
import { ensureBuilt, launchChromium, screenshotDir } from './browser.ts';

const LAB = 'clean-client';
// The starter reads only the first piece of the reply: it fails these checks and passes 'closes its socket after EOF'.
const STARTER_FAILS = ['returns the whole reply', 'ends without RST', 'works over a lossy link'];

let server: TestServer;
let browser: Browser;
let api: Client;
let workshop: { code: string; title: string; instructorToken: string; instructorUrl: string };
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ensureBuilt();
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  api = new Client(server.origin, server.adminToken);
  const r = await api.post('/api/workshops', { title: 'Teardown lab, room 2' });
  expect(r.status, r.text).toBe(201);
  workshop = r.json;
}, 120_000);

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  await server?.stop();
});

interface Opened {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and Content-Security-Policy violations. */
  problems: string[];
}

async function open(options: Parameters<Browser['newContext']>[0] = {}): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, ...options });
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  return { context, page, problems };
}

async function join(page: Page, name: string, shot?: string): Promise<void> {
  await page.goto(`${server.origin}/workshop/?code=${workshop.code.toLowerCase().replace('-', '')}`);
  await page.locator('[data-join-fields]:not([disabled])').waitFor();
  // The code from the join link is filled in, in its canonical form.
  expect(await page.inputValue('input[name="code"]')).toBe(workshop.code);
  await page.fill('input[name="name"]', name);
  if (shot) await page.screenshot({ path: path.join(screenshotDir, shot) });
  await page.click('button[type="submit"]');
  await page.locator('[data-joined-panel]:not([hidden])').waitFor({ timeout: 10_000 });
}

/** Presses Check on the lab page and waits for the browser's grade, then the server's. */
async function checkAndWaitForServer(page: Page): Promise<string> {
  await page.locator('[data-workshop-badge]:not([hidden])').waitFor({ timeout: 10_000 });
  await page.click('[data-action="check"]');
  await page.waitForSelector('.lab-bench:is([data-state="pass"], [data-state="fail"], [data-state="error"])', { timeout: 30_000 });
  await page.waitForSelector('[data-workshop-status][data-state="done"]', { timeout: 30_000 });
  return (await page.textContent('[data-workshop-status]')) ?? '';
}

describe('workshop', () => {
  let instructor: Opened;
  let ada: Opened;
  let bo: Opened;
  // A display name that would be markup if the page ever used innerHTML.
  const boName = '<b>Bo</b> & co';

  it('serves the workshop pages with a strict CSP and nothing inline', async () => {
    for (const p of ['/workshop/', '/workshop/instructor/', '/workshop/admin/']) {
      const res = await fetch(`${server.origin}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
      const html = await res.text();
      const inline = [...html.matchAll(/<script\b([^>]*)>/g)].filter(([, attrs]) => !/\bsrc=/.test(attrs!) && !/type="application\/json"/.test(attrs!));
      expect(inline, p).toEqual([]);
      expect(html).not.toMatch(/\son[a-z]+=["']/);
    }
  });

  it('opens the dashboard with the instructor link and takes the token out of the address bar', async () => {
    instructor = await open();
    await instructor.page.goto(workshop.instructorUrl);
    await instructor.page.locator('[data-view]:not([hidden])').waitFor({ timeout: 10_000 });
    expect(instructor.page.url()).not.toContain(workshop.instructorToken);
    expect(instructor.page.url()).toBe(`${server.origin}/workshop/instructor/?code=${workshop.code}`);
    expect(await instructor.page.evaluate(() => location.hash)).toBe('');
    expect(await instructor.page.textContent('[data-join-code]')).toBe(workshop.code);
    expect(await instructor.page.textContent('[data-title]')).toBe('Teardown lab, room 2');
    await instructor.page.waitForSelector('[data-live="live"]', { timeout: 10_000 });
    expect(await instructor.page.isVisible('[data-grid-empty]')).toBe(true);
    // Marks this document: if the page reloaded, the mark would be gone.
    await instructor.page.evaluate(() => ((window as unknown as { mark: number }).mark = 42));
  }, 30_000);

  it('two learners join from their own browsers and appear on the dashboard live', async () => {
    [ada, bo] = await Promise.all([open(), open()]);
    await join(ada.page, 'Ada', 'workshop-join-form-desktop-light.png');
    expect(await ada.page.textContent('#joined-heading')).toBe('You are in Teardown lab, room 2 as Ada');
    await join(bo.page, boName);
    // Shown as typed: text, never markup.
    expect(await bo.page.textContent('[data-learner-name]')).toBe(boName);
    expect(await bo.page.locator('[data-learner-name] b').count()).toBe(0);
    const grid = instructor.page.locator('[data-grid] tbody tr[data-learner]');
    await expect.poll(() => grid.count(), { timeout: 10_000 }).toBe(2);
    expect(await instructor.page.locator('.ws-learner__name').allTextContents()).toEqual(['Ada', boName]);
  }, 30_000);

  it('a Check on a lab is graded by the server too, and the dashboard and sticking points follow without a reload', async () => {
    // Bo has the reference solution in the editor (saved edits are what Check grades).
    await bo.context.addInitScript(([key, value]) => localStorage.setItem(key, value), [`closing-time:code:lab-${LAB}`, labFile(LAB, 'solution.ts')] as const);
    await Promise.all([ada.page.goto(`${server.origin}/labs/${LAB}/`), bo.page.goto(`${server.origin}/labs/${LAB}/`)]);
    expect(await ada.page.textContent('[data-workshop-badge]')).toBe('In workshop Teardown lab, room 2 as Ada');

    // Bo's first submission is turned away as a full queue would be (429, Retry-After: 1):
    // the page says so, waits, and sends again by itself.
    let refused = 0;
    await bo.page.route('**/api/workshops/*/submissions', (route) =>
      refused++ === 0
        ? route.fulfill({ status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' }, body: JSON.stringify({ error: 'queue_full', message: 'Too many checks are waiting.' }) })
        : route.continue(),
    );
    // Read in the same turn as the state is seen: the countdown moves on a second later.
    const retryLine = bo.page
      .waitForFunction(() => {
        const line = document.querySelector<HTMLElement>('[data-workshop-status]');
        return line?.dataset.state === 'retry-send' ? line.textContent : false;
      }, undefined, { timeout: 30_000 })
      .then((h) => h.jsonValue());
    const [adaLine, boLine] = await Promise.all([checkAndWaitForServer(ada.page), checkAndWaitForServer(bo.page)]);
    expect(await retryLine).toBe('Workshop: not sent yet, the server is busy. Too many checks are waiting. Sending again in 1 s…');
    expect(refused).toBe(2);
    expect(await ada.page.textContent('[data-check-status]')).toBe('1 of 4 checks pass: 2/9 points.');
    expect(adaLine).toBe('Workshop: graded 2/9 by the server.');
    expect(boLine).toBe('Workshop: graded 9/9 by the server.');
    expect(await ada.page.getAttribute('[data-workshop-status]', 'data-agree')).toBe('true');
    await ada.page.locator('.lab-bench').screenshot({ path: path.join(screenshotDir, 'workshop-lab-bench-desktop-light.png') });

    const page = instructor.page;
    const cell = (name: string) => page.locator(`[data-grid] tr:has(.ws-learner__name:text-is("${name}")) td[data-lab="${LAB}"]`);
    await expect.poll(() => cell('Ada').getAttribute('data-progress'), { timeout: 15_000 }).toBe('partial');
    await expect.poll(() => cell(boName).getAttribute('data-progress'), { timeout: 15_000 }).toBe('done');
    expect(await cell('Ada').locator('.ws-cell__score').textContent()).toBe('2/9');
    expect(await cell(boName).locator('.ws-cell__score').textContent()).toBe('9/9');

    // The sticking points: each check the starter fails, failed by one learner (Ada), with its message.
    await expect.poll(() => page.locator(`.ws-stick-group[data-lab="${LAB}"] .ws-stick`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.check).sort()), { timeout: 10_000 }).toEqual([...STARTER_FAILS].sort());
    const top = page.locator(`.ws-stick[data-check="returns the whole reply"]`);
    expect(await top.getAttribute('data-failures')).toBe('1');
    expect(await top.locator('.ws-stick__message').textContent()).toContain('recv()');
    expect(await top.locator('.ws-stick__who').textContent()).toBe('Ada');
    expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(42);

    // The learner's own page lists the server's grade.
    await ada.page.goto(`${server.origin}/workshop/`);
    await expect.poll(() => ada.page.textContent(`tr[data-lab="${LAB}"] [data-cell="best"]`), { timeout: 10_000 }).toBe('2/9');
    expect([...ada.problems, ...bo.problems]).toEqual([]);
  }, 60_000);

  it('shows a learner’s latest code and checks as text, and projector mode hides the names', async () => {
    const page = instructor.page;
    await page.locator('.ws-learner', { hasText: 'Ada' }).click();
    const dialog = page.locator('[data-learner-dialog]');
    await dialog.locator(`[data-detail-lab="${LAB}"]`).waitFor({ timeout: 10_000 });
    expect(await dialog.locator('.ws-code').textContent()).toBe(labFile(LAB, 'starter.ts'));
    expect(await dialog.locator('.lab-check--fail').count()).toBe(3);
    await page.screenshot({ path: path.join(screenshotDir, 'workshop-instructor-learner-desktop-light.png') });
    await dialog.locator('[data-close-dialog]').click();

    await page.click('[data-projector]');
    expect(await page.locator('.ws-learner__name').allTextContents()).toEqual(['Learner 1', 'Learner 2']);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toContain('Ada');
    expect(text).not.toContain('Bo</b>');
    expect(text).not.toContain(workshop.instructorToken);
    await page.screenshot({ path: path.join(screenshotDir, 'workshop-instructor-projector-desktop-light.png') });
    await page.click('[data-projector]');
    expect(instructor.problems).toEqual([]);
  }, 30_000);

  it('reopens the dashboard from the cookie alone, without the link', async () => {
    const page = await instructor.context.newPage();
    await page.goto(`${server.origin}/workshop/instructor/?code=${workshop.code}`);
    await page.locator('[data-view]:not([hidden])').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-grid] tbody tr[data-learner]').count()).toBe(2);
    await page.close();
    // A browser without the instructor cookie (a learner's) is asked for the link.
    await ada.page.goto(`${server.origin}/workshop/instructor/?code=${workshop.code}`);
    await ada.page.locator('[data-auth-panel]:not([hidden])').waitFor({ timeout: 10_000 });
    expect(await ada.page.isVisible('[data-view]')).toBe(false);
    await ada.page.screenshot({ path: path.join(screenshotDir, 'workshop-instructor-signin-desktop-light.png') });
  }, 30_000);

  it('explains without JavaScript that joining needs it', async () => {
    const { page } = await open({ javaScriptEnabled: false });
    await page.goto(`${server.origin}/workshop/`);
    expect(await page.textContent('h1')).toBe('Join a workshop');
    expect(await page.locator('noscript').textContent()).toContain('needs JavaScript');
    await page.screenshot({ path: path.join(screenshotDir, 'workshop-join-nojs-desktop-light.png') });
  });

  it('takes screenshots of the three workshop pages at desktop and phone width, light and dark', async () => {
    // A new browser context costs most of a second here: the desktop shots reuse the
    // instructor's and Ada's, and the theme follows the emulated colour scheme on each load.
    const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
    const sizes = {
      desktop: async () => [ada, instructor, await open()],
      phone: async () => [await open({ ...phone, storageState: await ada.context.storageState() }), await open({ ...phone, storageState: await instructor.context.storageState() }), await open(phone)],
    };
    for (const [size, opened] of Object.entries(sizes)) {
      const [learner, teacher, admin] = await opened();
      const shots: [string, Opened, string][] = [
        ['workshop-join', learner!, '/workshop/'],
        ['workshop-instructor', teacher!, `/workshop/instructor/?code=${workshop.code}`],
        ['workshop-admin', admin!, '/workshop/admin/'],
      ];
      for (const scheme of ['light', 'dark'] as const) {
        // The three pages are in separate contexts: shoot them side by side.
        await Promise.all(shots.map(async ([name, { page, problems }, url]) => {
          await page.emulateMedia({ colorScheme: scheme });
          await page.goto(`${server.origin}${url}`);
          if (name === 'workshop-join') await page.waitForSelector(`tr[data-lab="${LAB}"][data-progress="partial"]`);
          if (name === 'workshop-instructor') await page.waitForSelector('[data-live="live"]');
          if (name === 'workshop-admin') {
            await page.locator('[data-token-fields]:not([disabled])').waitFor();
            await page.fill('input[name="token"]', server.adminToken);
            await page.click('[data-token-form] button[type="submit"]');
            await page.waitForSelector('[data-list] tbody tr');
            await page.fill('input[name="title"]', `Screenshots, ${size} ${scheme}`);
            await page.click('[data-create-form] button[type="submit"]');
            await page.waitForSelector('[data-created]:not([hidden])');
          }
          expect(await page.getAttribute('html', 'data-theme')).toBe(scheme);
          await page.screenshot({ path: path.join(screenshotDir, `${name}-${size}-${scheme}.png`), fullPage: true });
          if (size === 'phone') {
            // Nothing wider than the screen (the grid scrolls inside its own box).
            expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), name).toBeLessThanOrEqual(1);
          }
          expect(problems, name).toEqual([]);
        }));
      }
    }
  }, 90_000);

  it('runs a workshop in Chinese: the Chinese admin page hands out a link into the Chinese dashboard, which shows the room live', async () => {
    const admin = await open();
    await admin.page.goto(`${server.origin}/zh-cn/workshop/admin/`);
    expect(await admin.page.locator('h1').textContent()).toBe('工作坊');
    await admin.page.locator('[data-token-fields]:not([disabled])').waitFor();
    await admin.page.fill('input[name="token"]', server.adminToken);
    await admin.page.click('[data-token-form] button[type="submit"]');
    await admin.page.locator('[data-create-card]:not([hidden])').waitFor();
    await admin.page.fill('input[name="title"]', '周四 TCP 工作坊');
    await admin.page.click('[data-create-form] button[type="submit"]');
    await admin.page.locator('[data-created]:not([hidden])').waitFor();
    const link = await admin.page.inputValue('[data-created-link]');
    expect(new URL(link).pathname).toBe('/zh-cn/workshop/instructor/');
    await admin.page.locator('[data-list] tbody tr').first().waitFor();
    expect(await admin.page.locator('[data-list] tbody').textContent()).toContain('开放中');
    for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      await admin.page.setViewportSize(viewport);
      await admin.page.screenshot({ path: path.join(screenshotDir, `zh-workshop-admin-${name}.png`), fullPage: true });
    }
    const code = await admin.page.locator('[data-created-code]').textContent();

    const lin = new Client(server.origin);
    expect((await lin.post(`/api/workshops/${code}/join`, { name: '林' })).status).toBe(201);
    const inst = await open({ viewport: { width: 1280, height: 900 } });
    await inst.page.goto(link);
    await inst.page.locator('[data-view]:not([hidden])').waitFor({ timeout: 15_000 });
    await inst.page.locator('[data-live="live"]').waitFor({ timeout: 15_000 });
    expect(await inst.page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await inst.page.locator('[data-live-text]').textContent()).toBe('实时');
    expect(await inst.page.locator('[data-title]').textContent()).toBe('周四 TCP 工作坊');
    expect(await inst.page.locator('[data-counts]').textContent()).toBe('1 位学员');
    expect(await inst.page.locator('[data-toggle-closed]').textContent()).toBe('停止加入和提交');
    expect(await inst.page.locator('.ws-grid__corner').textContent()).toBe('学员');
    // A second learner joins: the dashboard hears it over the live feed and redraws.
    expect((await new Client(server.origin).post(`/api/workshops/${code}/join`, { name: 'Grace' })).status).toBe(201);
    await inst.page.waitForFunction(() => document.querySelector('[data-counts]')?.textContent === '2 位学员', undefined, { timeout: 10_000 });
    expect(await inst.page.locator('tr[data-learner] .ws-learner__name').allTextContents()).toEqual(['林', 'Grace']);
    for (const scheme of ['light', 'dark'] as const) {
      await inst.page.emulateMedia({ colorScheme: scheme });
      for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
        await inst.page.setViewportSize(viewport);
        await inst.page.screenshot({ path: path.join(screenshotDir, `zh-workshop-instructor-${name}-${scheme}.png`), fullPage: true });
      }
    }
    expect([...admin.problems, ...inst.problems]).toEqual([]);
  }, 90_000);
});
