// Full-text search over the built site with Pagefind. Its script and index load
// only when the reader focuses the search box, so pages stay light. Pagefind keeps
// one index per <html lang> and loads the one of the page it runs on: the English
// pages search the English lessons, the Chinese pages the Chinese ones (CJK words
// segmented at index time and, since Pagefind 1.5, in the query too).
import { pageLocale, splitLocalePath, translator } from '../../i18n/index.ts';
interface PagefindSubResult {
  title: string;
  url: string;
  excerpt: string;
}
interface PagefindData {
  url: string;
  excerpt: string;
  meta: { title?: string };
  sub_results?: PagefindSubResult[];
}
interface PagefindResult {
  data(): Promise<PagefindData>;
}
interface Pagefind {
  init?(): Promise<void>;
  debouncedSearch(q: string, opts?: object, ms?: number): Promise<{ results: PagefindResult[] } | null>;
}

const words = (s: string) => s.toLowerCase().split(/\s+/).map((w) => w.replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, '')).filter(Boolean);
const marked = (excerpt: string) => [...excerpt.matchAll(/<mark>(.*?)<\/mark>/g)].flatMap((m) => words(m[1]!));

/**
 * Whether a Pagefind result really matches the query. Pagefind (1.6 here) always
 * returns something: for "xyzzy" it offers the lesson where it marked "x,", for
 * "lingr" one where it marked "-l", i.e. it falls back to a short prefix of the
 * query. A result counts only when one of the words its excerpts mark contains the
 * first three quarters (at least three letters, or the whole word if shorter) of a
 * query word: that keeps stemmed and longer forms ("half-closing" for "half-close",
 * "SO_LINGER" for "linger") and drops the one-letter fallbacks.
 */
export function matchesQuery(query: string, excerpts: string[]): boolean {
  const all = words(query);
  const stems = all.filter((w) => !HAN.test(w)).map((w) => w.slice(0, Math.min(w.length, Math.max(3, Math.ceil(w.length * 0.75)))));
  // Chinese has no spaces: Pagefind segments 四次挥手 into words and marks them one by one
  // (<mark>四次</mark><mark>挥手</mark>); a query its dictionary does not split, such as 端口耗尽,
  // it searches character by character (<mark>端</mark> … <mark>耗</mark>). A Chinese query word
  // counts when a mark of two or more characters is part of it (or contains it), or when the
  // result's marks, together, hold every one of its characters; a lone character of it is too
  // weak a match.
  const han = all.filter((w) => HAN.test(w));
  const marks = excerpts.flatMap((e) => marked(e));
  const markedChars = new Set(marks.flatMap((m) => [...m.trim()]));
  const hanHit = (m: string) => [...m].length >= 2 && han.some((w) => w.includes(m) || m.includes(w));
  if (han.some((w) => [...w].every((c) => markedChars.has(c)))) return true;
  return marks.some((m) => stems.some((s) => m.includes(s)) || hanHit(m));
}

const HAN = /\p{Script=Han}/u;

export type HitKind = 'lesson' | 'lab' | 'page';

/** Lessons live under /lessons/ and labs under /labs/ (src/pages), whatever the base path and edition (/zh-cn/lessons/). */
export function hitKind(url: string, base: string): HitKind {
  const rest = url.startsWith(base) ? url.slice(base.length) : url.replace(/^\//, '');
  const path = splitLocalePath(`/${rest}`).path.slice(1);
  return path.startsWith('lessons/') ? 'lesson' : path.startsWith('labs/') ? 'lab' : 'page';
}

/**
 * The section to link to: among the sub-results whose excerpt marks the query, the one
 * with the most marks (the first on the page when tied), when it has an anchor. A page
 * whose best match is its own top links to the page.
 */
export function bestSection(query: string, d: PagefindData): PagefindSubResult | undefined {
  let best: PagefindSubResult | undefined;
  let bestMarks = 0;
  for (const s of d.sub_results ?? []) {
    if (!matchesQuery(query, [s.excerpt])) continue;
    const n = marked(s.excerpt).length;
    if (n > bestMarks) [best, bestMarks] = [s, n];
  }
  return best?.url.includes('#') ? best : undefined;
}

export function initSearch(input: HTMLInputElement, list: HTMLElement, base: string): void {
  const tr = translator(pageLocale());
  let pagefind: Promise<Pagefind | null> | null = null;
  const load = () =>
    (pagefind ??= import(/* @vite-ignore */ `${base}pagefind/pagefind.js`)
      .then(async (m: Pagefind) => {
        await m.init?.();
        return m;
      })
      .catch(() => null));

  input.disabled = false;
  input.addEventListener('focus', () => void load(), { once: true });

  const show = (html: string) => {
    list.innerHTML = html;
    list.hidden = html === '';
    input.setAttribute('aria-expanded', String(!list.hidden));
  };
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

  input.addEventListener('input', async () => {
    const q = input.value.trim();
    if (!q) return show('');
    const pf = await load();
    if (!pf) return show(`<p class="search__empty">${esc(tr('search.needsBuild')).replace('{code}', '<code>npm run build:site</code>')}</p>`);
    const found = await pf.debouncedSearch(q, {}, 150);
    if (found === null || input.value.trim() !== q) return; // superseded by newer typing
    const all = await Promise.all(found.results.slice(0, 20).map((r) => r.data()));
    if (input.value.trim() !== q) return;
    const items = all.filter((d) => matchesQuery(q, [d.excerpt, ...(d.sub_results ?? []).map((s) => s.excerpt)])).slice(0, 8);
    if (items.length === 0) return show(`<p class="search__empty" role="status">${esc(tr('search.nothing', { query: q }))}</p>`);
    const kindLabel: Record<HitKind, string> = { lesson: tr('search.kindLesson'), lab: tr('search.kindLab'), page: tr('search.kindPage') };
    // Pagefind's excerpt is its own escaped HTML with <mark> around matches.
    show(
      items
        .map((d) => {
          const kind = hitKind(d.url, base);
          const section = bestSection(q, d);
          const url = section?.url ?? d.url;
          const excerpt = section?.excerpt ?? d.excerpt;
          const where = section && section.title !== d.meta.title ? `<span class="search__section"> › ${esc(section.title)}</span>` : '';
          return `<a class="search__hit" role="option" href="${esc(url)}" data-kind="${kind}"><span class="search__title"><span class="search__kind search__kind--${kind}">${kindLabel[kind]}</span> ${esc(d.meta.title ?? d.url)}${where}</span><span class="search__excerpt">${excerpt}</span></a>`;
        })
        .join(''),
    );
  });

  input.addEventListener('keydown', (e) => {
    const hits = [...list.querySelectorAll<HTMLAnchorElement>('.search__hit')];
    if (e.key === 'ArrowDown' && hits.length) {
      e.preventDefault();
      hits[0]!.focus();
    } else if (e.key === 'Escape') {
      input.value = '';
      show('');
    }
  });
  list.addEventListener('keydown', (e) => {
    const hits = [...list.querySelectorAll<HTMLAnchorElement>('.search__hit')];
    const i = hits.indexOf(document.activeElement as HTMLAnchorElement);
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      hits[Math.min(i + 1, hits.length - 1)]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (i <= 0) input.focus();
      else hits[i - 1]!.focus();
    } else if (e.key === 'Escape') {
      input.focus();
      show('');
    }
  });
  document.addEventListener('click', (e) => {
    if (!(e.target instanceof Node) || (!list.contains(e.target) && e.target !== input)) list.hidden = true;
  });
  // '/' focuses search, as on many documentation sites.
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (e.key === '/' && !t.closest('input, textarea, [contenteditable], .monaco-editor, .xterm')) {
      e.preventDefault();
      input.focus();
    }
  });
}
