// The course site: a static build in dist/site that any static host can serve.
// BASE_PATH lets it live under a sub-path (e.g. GitHub Pages: BASE_PATH=/closing-time/).
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';

const base = process.env.BASE_PATH || '/';

/**
 * Astro links every stylesheet of a page's script graph in <head>, including
 * those of modules the page only imports on demand (Monaco's and xterm's, for
 * a playground nobody has touched yet). Vite's preload helper already loads
 * those with their chunk, so the links only block the first paint: remove them.
 */
function lazyStylesheets() {
  return {
    name: 'closing-time:lazy-stylesheets',
    hooks: {
      'astro:build:done': ({ dir, logger }) => {
        const out = fileURLToPath(dir);
        const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
        const files = walk(out);
        const lazy = new Set();
        for (const f of files.filter((f) => f.endsWith('.js'))) {
          const m = /__vite__mapDeps=\(i,m=__vite__mapDeps,d=\(m\.f\|\|\(m\.f=\[([^\]]*)\]/.exec(readFileSync(f, 'utf8'));
          if (!m) continue;
          for (const dep of m[1].split(',')) if (dep.endsWith('.css"')) lazy.add(path.basename(dep.slice(1, -1)));
        }
        let removed = 0;
        for (const f of files.filter((f) => f.endsWith('.html'))) {
          const html = readFileSync(f, 'utf8');
          const next = html.replace(/<link rel="stylesheet" href="([^"]+)"\s*\/?>/g, (tag, href) => {
            if (!lazy.has(path.basename(href))) return tag;
            removed++;
            return '';
          });
          if (next !== html) writeFileSync(f, next);
        }
        logger.info(`${lazy.size} on-demand stylesheets, ${removed} render-blocking links removed`);
      },
    },
  };
}

/**
 * Astro writes the root 404 page as 404.html but a locale's as <locale>/404/index.html.
 * A static host that picks the nearest 404.html up a missing path's folders (Cloudflare
 * Pages), or that can be told one per folder (nginx's error_page, a `_redirects` rule),
 * needs it as <locale>/404.html: write a copy there.
 */
function localeNotFoundPages() {
  return {
    name: 'closing-time:locale-404',
    hooks: {
      'astro:build:done': ({ dir, logger }) => {
        const out = fileURLToPath(dir);
        const copied = [];
        for (const e of readdirSync(out, { withFileTypes: true })) {
          const page = path.join(out, e.name, '404', 'index.html');
          if (!e.isDirectory() || !existsSync(page)) continue;
          copyFileSync(page, path.join(out, e.name, '404.html'));
          copied.push(`${e.name}/404.html`);
        }
        logger.info(`locale 404 pages: ${copied.join(', ') || 'none'}`);
      },
    },
  };
}

export default defineConfig({
  base,
  outDir: './dist/site',
  trailingSlash: 'ignore',
  build: { format: 'directory', assets: '_assets' },
  // English at the root, Simplified Chinese under /zh-cn/ (src/i18n/locales.ts). Astro 5
  // defaults redirectToDefaultLocale to true, which with an unprefixed default locale
  // can send / to itself: the routes are plain folders (src/pages/zh-cn), nothing redirects.
  i18n: {
    locales: ['en', { path: 'zh-cn', codes: ['zh-CN', 'zh-Hans'] }],
    defaultLocale: 'en',
    routing: { prefixDefaultLocale: false, redirectToDefaultLocale: false },
  },
  integrations: [mdx(), lazyStylesheets(), localeNotFoundPages()],
  markdown: {
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' } },
  },
  vite: {
    // Monaco's and the runner's workers are ES modules (Vite `?worker`).
    worker: { format: 'es' },
    build: {
      chunkSizeWarningLimit: 8000,
      // Astro inlines a small page script into the HTML; the workshop pages are
      // served with script-src 'self', which refuses inline scripts. Every
      // script stays a file; other assets keep Vite's default limit.
      assetsInlineLimit: (file) => (/\.[cm]?js$/.test(file) ? false : undefined),
    },
  },
  devToolbar: { enabled: false },
});
