// expect-fail: never answers 502 while the backend is up
// expect-message: must not wait (sleep) before forwarding
// Keeps its connection forever; when a request fails, waits a second "for the backend to recover" and tries again on a new connection.
import type { OS, Socket } from 'closing-time';

export function createUpstream(os: OS, backend: string, _options: { backendKeepAliveMs: number }) {
  let sock: Socket | null = null;
  async function once(line: string): Promise<string> {
    if (!sock) {
      sock = os.socket();
      await sock.connect({ host: backend, port: 8080 });
    }
    await sock.send(line);
    let got = '';
    while (!got.includes('\n')) {
      const part = await sock.recv();
      if (part === '') throw new Error('upstream prematurely closed connection');
      got += part;
    }
    return got.slice(0, got.indexOf('\n'));
  }
  return {
    async forward(method: 'GET' | 'POST', path: string): Promise<string> {
      try {
        return await once(`${method} ${path}\n`);
      } catch {
        if (sock) await sock.close();
        sock = null;
        await os.sleep(1000);
        return once(`${method} ${path}\n`);
      }
    },
  };
}
