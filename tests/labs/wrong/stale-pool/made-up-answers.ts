// expect-fail: answers every request
// expect-message: the server never received that request
// Prints what an answer looks like without asking the server.
import type { OS } from 'closing-time';

export function createPool(_os: OS, _server: string, _options: { serverIdleMs: number }) {
  return {
    async request(line: string): Promise<string> {
      return `200 ${line.trim().replace(/^GET /, '')} ok`;
    },
  };
}
