// The one HTTP server of `npm start`, on Fastify: the built course from
// dist/site (precompressed brotli/gzip variants when the build wrote them,
// ETag and Last-Modified, a year's cache for hashed _assets/), the site's own
// 404 page, and the API under /api/ (the workshop registers its routes there).
// Unknown /api/ paths answer 404 in JSON so API clients never get an HTML page.
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { mimeType, resolveRequestPath, type StaticOptions } from './static.ts';
import { splitLocalePath } from '../i18n/locales.ts';

export interface AppOptions extends StaticOptions {
  /** Largest request body, bytes (413 past it). Default 1 MiB. */
  bodyLimit?: number;
  /** Fastify's logger (off by default: tokens must never reach a log). */
  logger?: boolean;
  /** Trust X-Forwarded-* from a reverse proxy (for Secure cookies behind https). */
  trustProxy?: boolean;
  /**
   * Leave <base>solutions/ unserved: the workshop server hands solutions out
   * through GET /api/solutions/:lab, which refuses them to a workshop that hides them.
   */
  solutionsViaApi?: boolean;
}

export interface App {
  readonly fastify: FastifyInstance;
  /** The base path the site was built for, with a trailing slash. */
  readonly base: string;
  listen(port: number, host?: string): Promise<Server>;
  close(): Promise<void>;
}

export function sendError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ error, message });
}

// Pages whose scripts handle credentials get a Content-Security-Policy that
// allows only the site's own scripts, and may not be framed.
const WORKSHOP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

const ERROR_CODES: Record<number, string> = { 400: 'bad_request', 404: 'not_found', 405: 'method_not_allowed', 413: 'body_too_large', 415: 'unsupported_media_type', 429: 'rate_limited' };

export function createApp(options: AppOptions): App {
  const root = path.resolve(options.root);
  const base = (options.base ?? '/').replace(/\/?$/, '/');
  const apiPrefix = `${base}api/`;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const fastify = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    trustProxy: options.trustProxy ?? false,
    // SSE streams stay open: close idle keep-alive sockets at shutdown, streams are ended by their owner.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false },
  });
  // Only JSON bodies: a form post or text/plain body from another site is refused (415).
  fastify.removeContentTypeParser('text/plain');

  const isApi = (url: string) => url === `${base}api` || url.startsWith(apiPrefix);

  fastify.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error(error);
    let message = status >= 500 ? 'The server failed on this request; it has been logged.' : error.message;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = `The request body is larger than the server accepts (${Math.round(bodyLimit / 1024)} KB).`;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = 'Send the request body as JSON (Content-Type: application/json).';
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') message = 'The request says it has a JSON body but sent none; send {} at least.';
    if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') message = `The request body is not valid JSON: ${error.message}`;
    // The static files' own refusals (a dot file, a path with '..') look like any missing page.
    if (!isApi(request.url) && (status === 404 || status === 403)) return sendNotFound(request, reply);
    return sendError(reply, status, status >= 500 ? 'internal' : (ERROR_CODES[status] ?? 'bad_request'), message);
  });

  // Each edition has its own 404 page (404.html, zh-cn/404.html), chosen by the path's prefix.
  const notFoundPages = new Map<string, Buffer | null>();
  async function sendNotFound(request: FastifyRequest, reply: FastifyReply) {
    if (isApi(request.url.split('?')[0]!)) return sendError(reply, 404, 'not_found', `No API route ${request.method} ${request.url.split('?')[0]}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return reply.code(405).header('allow', 'GET, HEAD').type('text/plain; charset=utf-8').send('Method not allowed\n');
    }
    if (/%00/i.test(request.url) || request.url.includes('\0')) return reply.code(400).type('text/plain; charset=utf-8').send('Bad request\n');
    const { locale } = splitLocalePath(request.url.split('?')[0]!);
    // Astro writes the root 404 page as 404.html and a locale's as <locale>/404/index.html.
    const file = locale === 'en' ? '404.html' : `${locale}/404/index.html`;
    if (!notFoundPages.has(file)) notFoundPages.set(file, await readFile(path.join(root, file)).catch(() => readFile(path.join(root, '404.html')).catch(() => null)));
    const notFoundPage = notFoundPages.get(file);
    reply.code(404).header('cache-control', 'no-cache');
    return notFoundPage ? reply.type('text/html; charset=utf-8').send(notFoundPage) : reply.type('text/plain; charset=utf-8').send('Not found\n');
  }
  fastify.setNotFoundHandler(sendNotFound);

  // A body over the limit is answered 413 only after it has been read (and thrown away):
  // a server that answers and closes while the client is still sending makes the client
  // see a reset instead of the answer. Past a few times the limit, it just closes.
  fastify.addHook('onRequest', (request, reply, done) => {
    const length = Number(request.headers['content-length']);
    if (!(length > bodyLimit)) return done();
    reply.header('connection', 'close');
    const answer = () => {
      if (!reply.sent) void sendError(reply, 413, 'body_too_large', `The request body is larger than the server accepts (${Math.round(bodyLimit / 1024)} KB).`);
    };
    if (length > 16 * bodyLimit) return answer();
    request.raw.once('end', answer).once('error', answer).resume();
  });

  // A path that decodes to somewhere outside the site, or to nothing sane, is not served;
  // nor, behind the workshop server, are the labs' solutions (see solutionsViaApi).
  fastify.addHook('onRequest', async (request, reply) => {
    const pathname = request.url.split('?')[0]!;
    if (isApi(pathname)) return;
    if (options.solutionsViaApi && pathname.startsWith(`${base}solutions/`)) return sendNotFound(request, reply);
    if (resolveRequestPath(root, base, pathname) === null) return sendNotFound(request, reply);
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    const pathname = request.url.split('?')[0]!;
    // A precompressed variant gets the mime package's type: give it the same type as the plain file.
    if (!isApi(pathname) && reply.getHeader('content-encoding') && reply.statusCode === 200) {
      reply.header('content-type', mimeType(pathname.endsWith('/') ? `${pathname}index.html` : pathname));
    }
    if (pathname.startsWith(`${base}workshop`) || isApi(pathname)) {
      reply.header('content-security-policy', WORKSHOP_CSP);
      reply.header('x-frame-options', 'DENY');
    }
    return payload;
  });

  fastify.register(fastifyStatic, {
    root,
    prefix: base,
    preCompressed: true,
    redirect: true,
    index: ['index.html'],
    etag: true,
    lastModified: true,
    // Cache-Control is set per file below.
    cacheControl: false,
    dotfiles: 'ignore',
    setHeaders(reply: unknown, file: string) {
      const r = reply as FastifyReply;
      // Our types (text/javascript with a charset, Pagefind's index files) rather than the mime package's.
      r.header('content-type', mimeType(file));
      const immutable = file.includes(`${path.sep}_assets${path.sep}`);
      r.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  return {
    fastify,
    base,
    async listen(port, host) {
      await fastify.listen({ port, host: host ?? '127.0.0.1' });
      return fastify.server;
    },
    close: () => fastify.close(),
  };
}
