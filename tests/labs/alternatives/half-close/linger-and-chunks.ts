import type { OS, Socket } from 'closing-time';

// A client that reads in fixed-size chunks and lingers on close (linger N > 0
// waits for the FIN's ACK, then closes normally: no RST), and a handler that
// sends the length line and the body separately and half-closes before close().
export async function client(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  sock.setsockopt('SO_LINGER', { onoff: true, linger: 5 });
  const parts: string[] = [];
  try {
    await sock.connect({ host: server, port: 7 });
    for (let i = 0; i < request.length; i += 1000) await sock.send(request.slice(i, i + 1000));
    sock.shutdown('SHUT_WR');
    for (let part = await sock.recv(512); part !== ''; part = await sock.recv(512)) parts.push(part);
  } finally {
    await sock.close();
  }
  return parts.join('');
}

export async function handle(conn: Socket): Promise<void> {
  const parts: string[] = [];
  try {
    for (let part = await conn.recv(); part !== ''; part = await conn.recv()) parts.push(part);
    const request = parts.join('');
    await conn.send(`LEN ${request.length}\n`);
    if (request) await conn.send(request.toUpperCase());
    conn.shutdown('SHUT_WR');
  } finally {
    await conn.close();
  }
}
