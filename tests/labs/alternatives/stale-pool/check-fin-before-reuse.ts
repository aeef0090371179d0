// No idle timeout of its own: before reusing a connection it checks whether the
// server's FIN has arrived (the socket is in CLOSE_WAIT; on Linux, poll() for
// POLLRDHUP or TCP_INFO's tcpi_state say the same). The single retry covers a FIN
// still on its way.
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
  void options; // the idle timeout is not needed: the FIN says it
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
      if (conn && conn.sock.state === 'ESTABLISHED') {
        try {
          const answer = await exchange(conn.sock, line);
          idle = { sock: conn.sock, since: os.now() };
          return answer;
        } catch {
          // The server closed it as the request left (a reload, a restart):
          // nothing came back, so the request was not processed. Once more,
          // on a new connection.
          await conn.sock.close();
        }
      } else if (conn) {
        await conn.sock.close(); // the server's FIN came while it was idle
      }
      return fresh(line);
    },
  };
}
