// expect-fail: no CLOSE_WAIT or open descriptor after the clients leave
// expect-message: close() was never called
import type { Socket } from 'closing-time';

export async function handle(conn: Socket): Promise<void> {
  let pending = '';
  for (;;) {
    const data = await conn.recv();
    if (data === '') {
      // "shutdown sends our FIN, so the connection is closed": it is, and ss no
      // longer shows it, but the descriptor is never released.
      conn.shutdown('SHUT_WR');
      return;
    }
    pending += data;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      await conn.send(`OK ${pending.slice(0, nl)}\n`);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  }
}
