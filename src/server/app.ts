// The one HTTP server of `npm start`: API routes first (the workshop API mounts
// here with `app.mount('/api/workshop', handler)`), then the static course.
// Unknown /api/ paths answer 404 in JSON so API clients never get an HTML page.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createStaticHandler, type StaticOptions } from './static.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface App {
  /** Routes requests under `prefix` (e.g. '/api/workshop') to `handler`. */
  mount(prefix: string, handler: Handler): void;
  /** The Node request listener. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  listen(port: number, host?: string): Promise<Server>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

export function createApp(options: StaticOptions): App {
  const mounts: { prefix: string; handler: Handler }[] = [];
  const serveStatic = createStaticHandler(options);
  const base = (options.base ?? '/').replace(/\/$/, '');

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      const route = pathname.startsWith(`${base}/api/`) || pathname === `${base}/api` ? pathname.slice(base.length) : null;
      if (route !== null) {
        const m = mounts.find((x) => route === x.prefix || route.startsWith(`${x.prefix}/`));
        if (m) return await m.handler(req, res);
        return sendJson(res, 404, { error: 'not_found', message: `No API route ${req.method} ${route}` });
      }
      await serveStatic(req, res);
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: (e as Error).message });
      else res.destroy();
    }
  }

  return {
    mount(prefix, handler) {
      if (!prefix.startsWith('/api/')) throw new Error(`API routes live under /api/ (got '${prefix}')`);
      mounts.push({ prefix: prefix.replace(/\/$/, ''), handler });
      mounts.sort((a, b) => b.prefix.length - a.prefix.length);
    },
    handle,
    listen(port, host) {
      const server = createServer((req, res) => void handle(req, res));
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server);
        });
      });
    },
  };
}
