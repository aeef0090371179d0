// expect-fail: keeps upstream connections alive
// expect-message: leaves a TIME_WAIT on the balancer
// Never stale, because it never keeps an upstream connection (proxy_http_version 1.0).
import type { OS } from 'closing-time';

export function createUpstream(os: OS, backend: string, _options: { backendKeepAliveMs: number }) {
  return {
    async forward(method: 'GET' | 'POST', path: string): Promise<string> {
      const sock = os.socket();
      try {
        await sock.connect({ host: backend, port: 8080 });
        await sock.send(`${method} ${path}\n`);
        let got = '';
        while (!got.includes('\n')) {
          const part = await sock.recv();
          if (part === '') throw new Error('upstream prematurely closed connection');
          got += part;
        }
        return got.slice(0, got.indexOf('\n'));
      } finally {
        await sock.close();
      }
    },
  };
}
