// The course's own HTTP server: static files with the right types, each edition's
// 404 page, no escape from the site folder, JSON 404s under /api/, precompressed
// variants and cache headers.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/server/app.ts';
import { mimeType, resolveRequestPath } from '../../src/server/static.ts';

let dir: string;
let server: Server;
let app: App;
let port: number;

/** Raw request (fetch would normalise '..' away before sending). */
function get(
  rawPath: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string; raw: Buffer; location?: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), body: raw.toString('utf8'), raw, location: res.headers.location, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ct-site-'));
  const site = path.join(dir, 'site');
  mkdirSync(path.join(site, 'lessons', 'time-wait'), { recursive: true });
  mkdirSync(path.join(site, '_assets'), { recursive: true });
  writeFileSync(path.join(site, 'index.html'), '<h1>home</h1>');
  writeFileSync(path.join(site, '404.html'), '<h1>custom 404</h1>');
  mkdirSync(path.join(site, 'zh-cn', '404'), { recursive: true });
  writeFileSync(path.join(site, 'zh-cn', '404', 'index.html'), '<h1>这条连接已经关闭了</h1>');
  writeFileSync(path.join(site, 'lessons', 'time-wait', 'index.html'), '<h1>tw</h1>');
  writeFileSync(path.join(site, '_assets', 'app.js'), 'export {}');
  writeFileSync(path.join(site, '_assets', 'a.css'), 'body{}');
  writeFileSync(path.join(dir, 'secret.txt'), 'do not serve');
  writeFileSync(path.join(site, '_assets', 'big.js'), 'export const x = 1;\n'.repeat(200));
  writeFileSync(path.join(site, '_assets', 'big.js.br'), brotliCompressSync(readFileSync(path.join(site, '_assets', 'big.js'))));
  writeFileSync(path.join(site, '_assets', 'big.js.gz'), gzipSync(readFileSync(path.join(site, '_assets', 'big.js'))));
  app = createApp({ root: site });
  app.fastify.get('/api/echo', async () => ({ ok: true }));
  server = await app.listen(0, '127.0.0.1');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static server', () => {
  it('serves index.html for / and for directory URLs', async () => {
    expect((await get('/')).body).toBe('<h1>home</h1>');
    const r = await get('/lessons/time-wait/');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/html; charset=utf-8');
  });

  it('redirects a directory URL without its slash, so relative links resolve', async () => {
    const r = await get('/lessons/time-wait?x=1');
    expect(r.status).toBe(301);
    expect(r.location).toBe('/lessons/time-wait/?x=1');
  });

  it('sends JavaScript and CSS with their MIME types', async () => {
    expect((await get('/_assets/app.js')).type).toBe('text/javascript; charset=utf-8');
    expect((await get('/_assets/a.css')).type).toBe('text/css; charset=utf-8');
    expect(mimeType('x.woff2')).toBe('font/woff2');
    expect(mimeType('x.pf_meta')).toBe('application/octet-stream');
  });

  it('answers unknown pages with the site’s 404 page and status 404', async () => {
    const r = await get('/no/such/page');
    expect(r.status).toBe(404);
    expect(r.body).toContain('custom 404');
  });

  it('answers an unknown page under /zh-cn/ with the Chinese 404 page, and any other with the English one', async () => {
    for (const url of ['/zh-cn/no-such-page/', '/zh-cn/lessons/no-such-lesson/', '/zh-cn/_assets/missing.js']) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expect(r.type).toBe('text/html; charset=utf-8');
      expect(r.body, url).toBe('<h1>这条连接已经关闭了</h1>');
    }
    for (const url of ['/no-such-page/', '/lessons/zh-cn/', '/zh-cnx/page/']) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expect(r.body, url).toBe('<h1>custom 404</h1>');
    }
  });

  it('never serves files outside the site folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/lessons/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const r = await get(p);
      expect(r.body, p).not.toContain('do not serve');
      expect([400, 404]).toContain(r.status);
    }
    expect(resolveRequestPath('/srv/site', '/', '/../etc/passwd')).toBe(path.resolve('/srv/site/etc/passwd'));
    expect(resolveRequestPath('/srv/site', '/', '/%E0%A4%A')).toBeNull();
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const h = await get('/', 'HEAD');
    expect(h.status).toBe(200);
    expect(h.body).toBe('');
    expect((await get('/', 'POST')).status).toBe(405);
  });

  it('sends the precompressed brotli or gzip file when the browser accepts it, and says it varies by encoding', async () => {
    const br = await get('/_assets/big.js', 'GET', { 'accept-encoding': 'br, gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.type).toMatch(/^text\/javascript/);
    expect(brotliDecompressSync(br.raw).toString()).toBe(readFileSync(path.join(dir, 'site', '_assets', 'big.js'), 'utf8'));
    expect((await get('/_assets/big.js', 'GET', { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBe('gzip');
    const plain = await get('/_assets/big.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('export const x');
  });

  it('caches hashed assets for a year and revalidates pages with ETag and Last-Modified', async () => {
    const asset = await get('/_assets/app.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const page = await get('/lessons/time-wait/');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['last-modified']).toBeTruthy();
    const etag = String(page.headers.etag);
    expect(etag).toBeTruthy();
    expect((await get('/lessons/time-wait/', 'GET', { 'if-none-match': etag })).status).toBe(304);
  });

  it('routes API handlers and answers unknown /api/ routes with JSON 404', async () => {
    expect((await get('/api/echo')).body).toBe('{"ok":true}');
    const r = await get('/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.type).toContain('application/json');
    expect(JSON.parse(r.body).error).toBe('not_found');
  });

  it('serves a site built for a sub-path under that base only', async () => {
    const app = createApp({ root: path.join(dir, 'site'), base: '/course/' });
    const s = await app.listen(0, '127.0.0.1');
    const p = (s.address() as AddressInfo).port;
    const saved = port;
    port = p;
    try {
      expect((await get('/course/')).body).toBe('<h1>home</h1>');
      expect((await get('/index.html')).status).toBe(404);
    } finally {
      port = saved;
      await app.close();
    }
  });
});
