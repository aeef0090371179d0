import type { Socket } from 'closing-time';

export async function handle(conn: Socket): Promise<void> {
  let pending = '';
  try {
    for (;;) {
      const data = await conn.recv();
      // EOF: the client sent FIN and our socket is in CLOSE_WAIT. It stays
      // there, with no timer, until we close(): that sends our FIN (LAST_ACK).
      if (data === '') return;
      pending += data;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        await conn.send(`OK ${line}\n`);
        nl = pending.indexOf('\n');
      }
    }
  } finally {
    // On EOF and also when the client reset the connection (send() or recv()
    // threw): the descriptor is ours until close() releases it.
    await conn.close();
  }
}
