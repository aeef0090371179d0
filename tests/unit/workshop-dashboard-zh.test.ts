// The instructor dashboard and the admin page in the Chinese edition: the grid,
// the sticking points and every string they take from the catalogues are
// Chinese; only data (names, lab titles, check names, numbers) stays as it is.
// The view builds DOM through document.createElement, so a small stand-in
// document is enough to render it here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderGrid, renderSticking, type ViewOptions } from '../../src/components/workshop/dashboard-view.ts';
import { exactTime } from '../../src/components/workshop/relative-time.ts';
import { catalogues } from '../../src/i18n/index.ts';
import type { Dashboard } from '../../src/components/workshop/types.ts';

class FakeNode {
  children: FakeNode[] = [];
  attrs: Record<string, string> = {};
  dataset: Record<string, string> = {};
  style: Record<string, string> = {};
  hidden = false;
  constructor(public tag: string, public text = '') {}
  setAttribute(k: string, v: string) { this.attrs[k] = v; }
  appendChild(c: FakeNode) { this.children.push(c); return c; }
  append(...cs: FakeNode[]) { this.children.push(...cs); }
  replaceChildren(...cs: FakeNode[]) { this.children = cs; }
  addEventListener() {}
  /** Every text a reader meets: text nodes, and the titles and labels of elements. */
  words(): string[] {
    return [this.text, this.attrs.title ?? '', this.attrs['aria-label'] ?? '', ...Object.values(this.dataset).filter(() => false), ...this.children.flatMap((c) => c.words())].filter(Boolean);
  }
}

const fakeDocument = { createElement: (tag: string) => new FakeNode(tag), createTextNode: (t: string) => new FakeNode('#text', t) };
let saved: unknown;
beforeEach(() => {
  saved = (globalThis as { document?: unknown }).document;
  (globalThis as { document?: unknown }).document = fakeDocument;
});
afterEach(() => {
  (globalThis as { document?: unknown }).document = saved;
});

// Data the server sends, left as it is: learner names, lab titles, check names and messages.
const DATA = ['server_fin_sent', 'Ada', 'Bob'];
const dashboard: Dashboard = {
  workshop: { code: 'KX7P-QM4W', title: '周五工作坊', closed: false, solutions: true, createdAt: '2025-01-01T09:00:00Z', joinUrl: 'http://x/zh-cn/workshop/?code=KX7P-QM4W' },
  labs: [
    { id: 'close-wait-leak', title: '泄漏的 CLOSE_WAIT', max_score: 10, checks: [] },
    { id: 'clean-client', title: '干净的客户端', max_score: 10, checks: [] },
  ],
  learners: [
    { id: '1', name: 'Ada', joinedAt: '2025-01-01T10:00:00Z', lastSeen: '2025-01-01T10:00:00Z', labs: { 'close-wait-leak': { best: 4, max: 10, attempts: 2, last: '2025-01-01T10:00:00Z', lastId: 'x', lastStatus: 'grading' } } },
    { id: '2', name: 'Bob', joinedAt: '2025-01-01T10:01:00Z', lastSeen: '2025-01-01T10:01:00Z', labs: { 'close-wait-leak': { best: 10, max: 10, attempts: 1, last: '2025-01-01T10:01:00Z', lastId: 'y', lastStatus: 'done' } } },
  ],
  checks: {},
  sticking: [1, 2, 3, 4, 5].map((i) => ({ lab: 'close-wait-leak', check: `server_fin_sent`, failures: i, message: '服务器没有发出 FIN', learners: ['Ada', 'Bob'] })),
};

/** Latin words left once data, units and the '×' of counts are taken out: English prose. */
const english = (texts: string[]) =>
  texts
    .map((t) => DATA.reduce((s, d) => s.split(d).join(''), t).replace(/CLOSE_WAIT|KX7P-QM4W|FIN/g, ''))
    .filter((t) => /[A-Za-z]{2,}/.test(t));

function render(locale: 'en' | 'zh-cn', projector = false) {
  const opts: ViewOptions = { locale, projector, allSticking: false, toggleSticking() {}, openLearner() {} };
  const table = new FakeNode('table') as unknown as HTMLTableElement & FakeNode;
  Object.assign(table, { tHead: new FakeNode('thead'), tBodies: [new FakeNode('tbody')] });
  const empty = new FakeNode('p');
  const sticking = new FakeNode('div');
  renderGrid(table, empty as unknown as HTMLElement, dashboard, opts);
  renderSticking(sticking as unknown as HTMLElement, dashboard, opts);
  const t = table as unknown as { tHead: FakeNode; tBodies: FakeNode[] };
  return [...t.tHead.words(), ...t.tBodies[0]!.words(), ...sticking.words()];
}

describe('the instructor dashboard in Chinese', () => {
  it('draws the grid and the sticking points without English prose, data left as sent', () => {
    const zh = render('zh-cn');
    expect(english(zh)).toEqual([]);
    expect(zh).toContain('学员');
    expect(zh).toContain('总分');
    expect(zh.some((t) => t.includes('Ada，泄漏的 CLOSE_WAIT：最高 4 分（满分 10），提交 2 次，最近一次判分中'))).toBe(true);
    expect(zh).toContain('显示全部 5 个未通过的检查项');
    expect(zh).toContain('Ada、Bob');
    expect(english(render('zh-cn', true))).toEqual([]);
    expect(render('zh-cn', true)).toContain('学员 1');
  });

  it('draws the English dashboard with the English words it always had', () => {
    const en = render('en');
    expect(en).toContain('Ada, 泄漏的 CLOSE_WAIT: best 4 of 10, 2 checks sent, the last being graded');
    expect(en).toContain('Show all 5 failing checks');
    expect(en).toContain('1/2 done');
    expect(render('en', true)).toContain('Learner 2');
  });

  it('has every dashboard and admin string of the Chinese catalogue in Chinese, Latin only in names, formats and code', () => {
    const allowed = /<code>[^<]*<\/code>|#code=…&token=…|\{\w+\}|CSV|JSON|Closing Time|TCP|JavaScript|[<>/]strong[>]?/g;
    const left = Object.entries(catalogues['zh-cn'])
      .filter(([k]) => /^ws(Dash|Admin)\./.test(k) && k !== 'wsDash.nameSep')
      .filter(([, v]) => /[A-Za-z]{2,}/.test(v.replace(allowed, '')));
    expect(left).toEqual([]);
  });
});

describe('exact times', () => {
  it("are written as the page's language writes dates, whatever the machine's locale", () => {
    const iso = '2025-03-04T05:06:07Z';
    expect(exactTime(iso, 'zh-cn')).toBe(new Date(iso).toLocaleString('zh-CN'));
    expect(exactTime(iso, 'en')).toBe(new Date(iso).toLocaleString('en'));
    expect(exactTime(iso, 'zh-cn')).not.toBe(exactTime(iso, 'en'));
    expect(exactTime(iso, 'zh-cn')).toMatch(/^2025\/3\/4/);
  });
});
