// The keep-alive server two labs' checkers run: it answers one request per
// line on a connection kept open between requests, closes a connection idle for
// its keep-alive timeout (nginx's keepalive_timeout, Node.js's keepAliveTimeout),
// and can close every idle connection at once (a reload or a deploy). A request
// sent on a connection it has closed meets a closed socket, which answers RST
// (tcp_rcv_state_process), as with a real server.
import type { Host } from '../src/sim/index.ts';

export interface KeepAliveBackendOptions {
  port: number;
  /** Idle time after which the server closes a connection, ms. */
  keepAliveMs: number;
  /** The name of the accept loop's process in the trace. */
  processName: string;
  /**
   * The server's answer to one request line (without its newline), or `'reset'`:
   * the server acted on the request and died before answering (SO_LINGER 0, close).
   */
  answer(line: string): string | 'reset';
}

export interface KeepAliveBackend {
  /** Connections the server accepted so far. */
  readonly accepted: number;
  /** Close every idle connection now (a reload). */
  closeIdle(): void;
}

export function runKeepAliveBackend(host: Host, o: KeepAliveBackendOptions): KeepAliveBackend {
  const idle = new Set<{ close(): Promise<void> }>();
  let accepted = 0;
  host.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: o.port });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      accepted++;
      os.spawn(async () => {
        let buf = '';
        let closed = false;
        const entry = {
          close: async () => {
            if (closed) return;
            closed = true;
            idle.delete(entry);
            await conn.close();
          },
        };
        try {
          for (;;) {
            idle.add(entry);
            // The keep-alive timeout: the next request, or the connection is closed.
            const part = await Promise.race([conn.recv(), os.sleep(o.keepAliveMs).then(() => null)]);
            if (closed) return;
            if (part === null || part === '') break;
            idle.delete(entry);
            buf += part;
            let nl = buf.indexOf('\n');
            while (nl >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              const reply = o.answer(line);
              if (reply === 'reset') {
                closed = true;
                idle.delete(entry);
                conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
                await conn.close();
                return;
              }
              await conn.send(reply);
              nl = buf.indexOf('\n');
            }
          }
        } catch {
          // the client reset: its trace tells the checks what happened
        }
        await entry.close();
      }, 'conn');
    }
  }, o.processName);
  return {
    get accepted() {
      return accepted;
    },
    closeIdle() {
      for (const c of [...idle]) void c.close();
    },
  };
}
