// expect-fail: retries once when a reused connection fails
// expect-message: must be sent once more on a new connection
// Drops idle connections in time, but a request that meets a reload fails.
import type { OS, Socket } from 'closing-time';

/** The connection's next answer line, or an error if it ends first (EOF: the server had closed it). */
async function exchange(sock: Socket, line: string): Promise<string> {
  await sock.send(line);
  let got = '';
  while (!got.includes('\n')) {
    const part = await sock.recv(); // ECONNRESET after a reset; '' if the server's FIN came first
    if (part === '') throw new Error('the server closed the connection before answering');
    got += part;
  }
  return got.slice(0, got.indexOf('\n'));
}

export function createPool(os: OS, server: string, options: { serverIdleMs: number }) {
  // Keep idle connections for less than the server does, with a margin for the
  // round trip: then the server's idle close never meets a request.
  const maxIdleMs = options.serverIdleMs - 1000;
  let idle: { sock: Socket; since: number } | null = null;

  async function fresh(line: string): Promise<string> {
    const sock = os.socket();
    try {
      await sock.connect({ host: server, port: 80 });
      const answer = await exchange(sock, line);
      idle = { sock, since: os.now() };
      return answer;
    } catch (error) {
      await sock.close();
      throw error; // a fresh connection failed: that is a real error
    }
  }

  return {
    async request(line: string): Promise<string> {
      const conn = idle;
      idle = null;
      if (conn && os.now() - conn.since < maxIdleMs) {
        try {
          const answer = await exchange(conn.sock, line);
          idle = { sock: conn.sock, since: os.now() };
          return answer;
        } catch (error) {
          await conn.sock.close();
          throw error; // no second chance
        }
      } else if (conn) {
        await conn.sock.close(); // too old: the server may close it any moment
      }
      return fresh(line);
    },
  };
}
