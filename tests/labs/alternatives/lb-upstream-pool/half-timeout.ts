// Keeps idle upstream connections for half the backend's keep-alive timeout: a wider margin than needed, still correct.
import type { OS, Socket } from 'closing-time';

/** The connection's next answer line, or an error if it ends first (EOF: the backend had closed it). */
async function exchange(sock: Socket, line: string): Promise<string> {
  await sock.send(line);
  let got = '';
  while (!got.includes('\n')) {
    const part = await sock.recv(); // ECONNRESET after a reset; '' if the backend's FIN came first
    if (part === '') throw new Error('upstream prematurely closed connection');
    got += part;
  }
  return got.slice(0, got.indexOf('\n'));
}

export function createUpstream(os: OS, backend: string, options: { backendKeepAliveMs: number }) {
  // The pool's idle timeout below the backend's keep-alive timeout, with a
  // margin for the round trip: the backend's idle close never meets a request.
  const maxIdleMs = options.backendKeepAliveMs / 2;
  let idle: { sock: Socket; since: number } | null = null;

  async function fresh(line: string): Promise<string> {
    const sock = os.socket();
    try {
      await sock.connect({ host: backend, port: 8080 });
      const answer = await exchange(sock, line);
      idle = { sock, since: os.now() };
      return answer;
    } catch (error) {
      await sock.close();
      throw error; // a fresh connection failed: the client gets its 502
    }
  }

  return {
    async forward(method: 'GET' | 'POST', path: string): Promise<string> {
      const line = `${method} ${path}\n`;
      const conn = idle;
      idle = null;
      if (conn && os.now() - conn.since < maxIdleMs) {
        try {
          const answer = await exchange(conn.sock, line);
          idle = { sock: conn.sock, since: os.now() };
          return answer;
        } catch (error) {
          await conn.sock.close();
          // The backend closed it as the request left (a deploy) or died on
          // it: a GET is idempotent, so once more on a new connection. A POST
          // may have been acted on: its failure goes to the client as a 502.
          if (method !== 'GET') throw error;
        }
      } else if (conn) {
        await conn.sock.close(); // too old: the backend may close it any moment
      }
      return fresh(line);
    },
  };
}
