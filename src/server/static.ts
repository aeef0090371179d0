// The static site's rules that app.ts applies on top of @fastify/static: our
// MIME types (text/javascript with a charset, Pagefind's index files), and no
// way out of the site's folder (URLs are decoded, normalised and checked
// against the root before anything is served).
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
