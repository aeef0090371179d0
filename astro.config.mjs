// The course site: a static build in dist/site that any static host can serve.
// BASE_PATH lets it live under a sub-path (e.g. GitHub Pages: BASE_PATH=/closing-time/).
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';

const base = process.env.BASE_PATH || '/';

export default defineConfig({
  base,
  outDir: './dist/site',
  trailingSlash: 'ignore',
  build: { format: 'directory', assets: '_assets' },
  integrations: [mdx()],
  markdown: {
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' } },
  },
  vite: {
    // Monaco's and the runner's workers are ES modules (Vite `?worker` and `new URL(..., import.meta.url)`).
    worker: { format: 'es' },
    build: { chunkSizeWarningLimit: 8000 },
    optimizeDeps: { include: [] },
  },
  devToolbar: { enabled: false },
});
