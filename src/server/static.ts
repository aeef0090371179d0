// Serves the built course (dist/site) over HTTP: correct MIME types, the site's
// own 404 page, directory URLs resolved to index.html, and no way out of the
// site's folder (URLs are decoded, normalised and checked against the root).
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  // Pagefind's index files.
  '.pf_meta': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticOptions {
  /** The folder to serve (dist/site). */
  root: string;
  /** URL prefix the site was built for (astro.config's base), e.g. '/' or '/course/'. */
  base?: string;
}

/**
 * Maps a request path to a file under root, or null when it must not be
 * served (outside root after decoding, a NUL byte, bad percent-encoding).
 */
export function resolveRequestPath(root: string, base: string, urlPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (p.includes('\0')) return null;
  const b = base.endsWith('/') ? base : `${base}/`;
  if (b !== '/') {
    if (p === b.slice(0, -1)) p = '/';
    else if (p.startsWith(b)) p = p.slice(b.length - 1);
    else return null;
  }
  // Backslashes are separators on Windows: treat them as such everywhere.
  p = p.replace(/\\/g, '/');
  const rootAbs = path.resolve(root);
  const full = path.resolve(rootAbs, `.${path.posix.normalize(`/${p}`)}`);
  if (full !== rootAbs && !full.startsWith(rootAbs + path.sep)) return null;
  return full;
}

async function fileAt(full: string): Promise<{ file: string; size: number; mtime: Date } | null> {
  for (const candidate of [full, path.join(full, 'index.html'), `${full}.html`]) {
    try {
      const s = await stat(candidate);
      if (s.isFile()) return { file: candidate, size: s.size, mtime: s.mtime };
    } catch {
      // try the next form
    }
  }
  return null;
}

/** A request handler for the static site; returns false if it did not handle the request. */
export function createStaticHandler(options: StaticOptions) {
  const root = path.resolve(options.root);
  const base = options.base ?? '/';
  let notFoundPage: Buffer | null | undefined;

  async function send404(res: ServerResponse, head: boolean): Promise<void> {
    if (notFoundPage === undefined) notFoundPage = await readFile(path.join(root, '404.html')).catch(() => null);
    res.statusCode = 404;
    res.setHeader('Cache-Control', 'no-cache');
    if (notFoundPage) {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Length', notFoundPage.length);
      res.end(head ? undefined : notFoundPage);
    } else {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(head ? undefined : 'Not found\n');
    }
  }

  return async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('Allow', 'GET, HEAD');
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('Method not allowed\n');
      return;
    }
    const head = req.method === 'HEAD';
    const url = new URL(req.url ?? '/', 'http://localhost');
    const full = resolveRequestPath(root, base, url.pathname);
    if (full === null) {
      if (url.pathname.includes('\0') || /%00/i.test(req.url ?? '')) {
        res.statusCode = 400;
        res.end('Bad request\n');
        return;
      }
      await send404(res, head);
      return;
    }
    const found = await fileAt(full);
    if (!found) {
      await send404(res, head);
      return;
    }
    // /lessons/x must become /lessons/x/ so the page's relative URLs resolve.
    if (found.file.endsWith(`${path.sep}index.html`) && !url.pathname.endsWith('/') && path.basename(full) !== 'index.html') {
      res.statusCode = 301;
      res.setHeader('Location', `${url.pathname}/${url.search}`);
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', mimeType(found.file));
    res.setHeader('Content-Length', found.size);
    res.setHeader('Last-Modified', found.mtime.toUTCString());
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Hashed build assets never change; pages and search index may.
    const immutable = found.file.includes(`${path.sep}_assets${path.sep}`);
    res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (head) {
      res.end();
      return;
    }
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}
