import type { OS, Socket } from 'closing-time';

/**
 * The upstream side of a load balancer: it forwards each client request to
 * port 8080 of `backend` and returns the backend's answer. The protocol: a
 * request is one line ("GET /path\n" or "POST /path\n"); the backend answers
 * each with one line ("200 /path <token>\n"). forward() returns the answer line
 * without its '\n'; when it rejects, the balancer answers the client 502.
 * Requests come one at a time.
 *
 * The backend closes connections that have been idle for
 * `options.backendKeepAliveMs`, far sooner than this pool gives up on them
 * (it never does), so the first request after a quiet spell gets a 502. Fix it.
 */
export function createUpstream(os: OS, backend: string, options: { backendKeepAliveMs: number }) {
  let sock: Socket | null = null;
  return {
    async forward(method: 'GET' | 'POST', path: string): Promise<string> {
      if (!sock) {
        sock = os.socket();
        await sock.connect({ host: backend, port: 8080 });
      }
      await sock.send(`${method} ${path}\n`);
      let got = '';
      while (!got.includes('\n')) {
        const part = await sock.recv();
        if (part === '') throw new Error('upstream prematurely closed connection');
        got += part;
      }
      return got.slice(0, got.indexOf('\n'));
    },
  };
}
