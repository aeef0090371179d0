// Full-text search over the built site with Pagefind. Its script and index load
// only when the reader focuses the search box, so pages stay light.
interface PagefindResult {
  data(): Promise<{ url: string; excerpt: string; meta: { title?: string } }>;
}
interface Pagefind {
  init?(): Promise<void>;
  debouncedSearch(q: string, opts?: object, ms?: number): Promise<{ results: PagefindResult[] } | null>;
}

export function initSearch(input: HTMLInputElement, list: HTMLElement, base: string): void {
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
    if (!pf) return show('<p class="search__empty">Search works on the built site (<code>npm run build:site</code>).</p>');
    const found = await pf.debouncedSearch(q, {}, 150);
    if (found === null || input.value.trim() !== q) return; // superseded by newer typing
    if (found.results.length === 0) return show(`<p class="search__empty">Nothing found for “${esc(q)}”.</p>`);
    const items = await Promise.all(found.results.slice(0, 8).map((r) => r.data()));
    // Pagefind's excerpt is its own escaped HTML with <mark> around matches.
    show(
      items
        .map(
          (d) =>
            `<a class="search__hit" role="option" href="${esc(d.url)}"><span class="search__title">${esc(d.meta.title ?? d.url)}</span><span class="search__excerpt">${d.excerpt}</span></a>`,
        )
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
