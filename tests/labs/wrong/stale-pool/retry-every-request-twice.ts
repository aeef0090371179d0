// expect-fail: answers every request
// expect-message: times: send a request again only when its connection failed
// "To be safe" sends every request on two connections and returns the first answer.
import type { OS } from 'closing-time';

async function once(os: OS, server: string, line: string): Promise<string> {
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
}

export function createPool(os: OS, server: string, _options: { serverIdleMs: number }) {
  return {
    async request(line: string): Promise<string> {
      const [a] = await Promise.all([once(os, server, line), once(os, server, line)]);
      return a;
    },
  };
}
