// expect-fail: returns the whole reply
// expect-message: One recv() returns only what has arrived so far
import type { OS } from 'closing-time';

export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 80 });
  await sock.send(request);
  const reply = await sock.recv(100_000); // "big enough" buffer
  await sock.close();
  return reply;
}
