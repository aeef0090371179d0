import type { OS, Socket } from 'closing-time';

/**
 * A connection pool for a keep-alive server on port 80 of `server`. The
 * protocol: a request is one line ("GET /path\n"); the server answers each
 * with one line ("200 /path <token>\n"). request() returns the answer line
 * without its '\n'. Requests come one at a time.
 *
 * The server closes connections that have been idle for
 * `options.serverIdleMs`. This pool keeps its connection forever, so the first
 * request after a long pause fails. Fix it.
 */
export function createPool(os: OS, server: string, options: { serverIdleMs: number }) {
  let sock: Socket | null = null;
  return {
    async request(line: string): Promise<string> {
      if (!sock) {
        sock = os.socket();
        await sock.connect({ host: server, port: 80 });
      }
      await sock.send(line);
      let got = '';
      while (!got.includes('\n')) {
        const part = await sock.recv();
        if (part === '') throw new Error('the server closed the connection');
        got += part;
      }
      return got.slice(0, got.indexOf('\n'));
    },
  };
}
