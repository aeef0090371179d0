import type { Socket } from 'closing-time';

export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void> {
  if (load.overloaded) {
    // Abortive close: RST at once, queues purged, no FIN_WAIT or TIME_WAIT.
    // Nothing was promised on this connection, so nothing is lost.
    conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
    await conn.close();
    return;
  }
  try {
    // The request line may come in several segments, or end at EOF without a newline.
    let request = '';
    while (!request.endsWith('\n')) {
      const part = await conn.recv();
      if (part === '') break;
      request += part;
    }
    await conn.send(await load.reply());
  } finally {
    // Orderly close: the kernel keeps sending the queued reply, then FIN. The
    // TIME_WAIT that follows on this side is normal and harmless. In a finally
    // block, so that a client that resets mid-reply (send() fails) still gets
    // its descriptor released.
    await conn.close();
  }
}
