// expect-fail: gives up when the server is down
// expect-message: Retry once on a new connection
// Retries every failure on a new connection, again and again.
import type { OS, Socket } from 'closing-time';

async function exchange(sock: Socket, line: string): Promise<string> {
  await sock.send(line);
  let got = '';
  while (!got.includes('\n')) {
    const part = await sock.recv();
    if (part === '') throw new Error('closed');
    got += part;
  }
  return got.slice(0, got.indexOf('\n'));
}

export function createPool(os: OS, server: string, options: { serverIdleMs: number }) {
  let idle: { sock: Socket; since: number } | null = null;
  return {
    async request(line: string): Promise<string> {
      for (;;) {
        let sock: Socket;
        if (idle && os.now() - idle.since < options.serverIdleMs - 1000) sock = idle.sock;
        else {
          if (idle) await idle.sock.close();
          sock = os.socket();
        }
        idle = null;
        try {
          if (!sock.remoteAddress) await sock.connect({ host: server, port: 80 });
          const answer = await exchange(sock, line);
          idle = { sock, since: os.now() };
          return answer;
        } catch {
          await sock.close();
          await os.sleep(100); // and try again, forever
        }
      }
    },
  };
}
