import type { OS } from 'closing-time';

/**
 * Says "that is all my request" with shutdown(SHUT_WR) right after sending it
 * (as HTTP/1.0 clients could), reads the reply to EOF, and closes in any case.
 * TIME_WAIT then lands on this client instead of the server: still correct.
 */
export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  try {
    await sock.connect({ host: server, port: 80 });
    await sock.send(request);
    sock.shutdown('SHUT_WR');
    const parts: string[] = [];
    for (let part = await sock.recv(); part !== ''; part = await sock.recv()) parts.push(part);
    return parts.join('');
  } finally {
    await sock.close();
  }
}
