// expect-fail: no CLOSE_WAIT or open descriptor after the load
// expect-message: close() was never called on it (shutdown(SHUT_WR) was
import type { Socket } from 'closing-time';

/**
 * A small web-ish server. Clients send request lines ("GET /path\n") and may
 * send several on one connection (keep-alive); each response is
 * "<status> <length>\n<body>". A client that is done closes the connection.
 *
 * Under load, `ss -tan` on this server fills with CLOSE-WAIT (see the lab text
 * for a capture). One of the handlers below leaks. Find it and fix it without
 * breaking the others.
 */

const FILES: Record<string, string> = {
  '/static/index.html': '<!doctype html><title>shop</title><script src="app.js"></script>',
  '/static/app.js': 'document.title += " (ready)";',
};

function respond(conn: Socket, status: number, body: string): Promise<number> {
  return conn.send(`${status} ${body.length}\n${body}`);
}

async function serveStatic(conn: Socket, path: string): Promise<void> {
  const file = FILES[path];
  if (file === undefined) await respond(conn, 404, 'not found');
  else await respond(conn, 200, file);
}

async function serveApi(conn: Socket, path: string): Promise<void> {
  if (path === '/api/items') await respond(conn, 200, JSON.stringify({ items: ['bolt', 'nut', 'washer'] }));
  else if (path === '/api/stock') await respond(conn, 200, JSON.stringify({ bolt: 120, nut: 80, washer: 0 }));
  else await respond(conn, 404, 'no such endpoint');
}

/** Reports are big and one per connection: send it and we're done. */
async function serveReport(conn: Socket, path: string): Promise<'done'> {
  const rows = ['item,stock'];
  for (const [item, stock] of [['bolt', 120], ['nut', 80], ['washer', 0]] as const) rows.push(`${item},${stock}`);
  const csv = rows.join('\n') + '\n';
  await respond(conn, 200, path.includes('format=json') ? JSON.stringify(rows) : csv);
  return 'done';
}

async function health(conn: Socket): Promise<void> {
  await respond(conn, 200, 'ok');
}

/** Reads one line ("GET /path"), or null at end of stream. */
async function readRequest(conn: Socket, buffer: { text: string }): Promise<string | null> {
  for (;;) {
    const nl = buffer.text.indexOf('\n');
    if (nl >= 0) {
      const line = buffer.text.slice(0, nl);
      buffer.text = buffer.text.slice(nl + 1);
      return line;
    }
    const part = await conn.recv();
    if (part === '') return null;
    buffer.text += part;
  }
}

export async function handle(conn: Socket): Promise<void> {
  const buffer = { text: '' };
  for (;;) {
    const line = await readRequest(conn, buffer);
    if (line === null) break;
    const path = line.replace(/^GET /, '');
    if (path.startsWith('/static/')) await serveStatic(conn, path);
    else if (path.startsWith('/api/')) await serveApi(conn, path);
    else if (path.startsWith('/report')) {
      if ((await serveReport(conn, path)) === 'done') {
        // Tell the client we're done: our FIN goes out and CLOSE_WAIT never
        // appears in ss. (The descriptor is never released.)
        conn.shutdown('SHUT_WR');
        return;
      }
    } else if (path === '/health') await health(conn);
    else await respond(conn, 404, 'not found');
  }
  await conn.close();
}
