// expect-fail: never sends a POST twice
// expect-message: let the error through
// Catches the upstream error and answers something, so that no 502 is ever seen.
import type { OS, Socket } from 'closing-time';

export function createUpstream(os: OS, backend: string, _options: { backendKeepAliveMs: number }) {
  let sock: Socket | null = null;
  return {
    async forward(method: 'GET' | 'POST', path: string): Promise<string> {
      try {
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
      } catch {
        if (sock) await sock.close();
        sock = null;
        return `200 ${path} ok`;
      }
    },
  };
}
