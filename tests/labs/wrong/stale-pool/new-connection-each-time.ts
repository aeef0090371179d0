// expect-fail: reuses connections
// expect-message: a new connection per request
// Never stale, because it never keeps a connection.
import type { OS } from 'closing-time';

export function createPool(os: OS, server: string, _options: { serverIdleMs: number }) {
  return {
    async request(line: string): Promise<string> {
      const sock = os.socket();
      try {
        await sock.connect({ host: server, port: 80 });
        await sock.send(line);
        let got = '';
        while (!got.includes('\n')) {
          const part = await sock.recv();
          if (part === '') throw new Error('closed');
          got += part;
        }
        return got.slice(0, got.indexOf('\n'));
      } finally {
        await sock.close();
      }
    },
  };
}
