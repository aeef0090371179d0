// expect-fail: ends connections with FIN, not RST
// expect-message: SO_LINGER 0 resets the connection
import type { Socket } from 'closing-time';

export async function handle(conn: Socket): Promise<void> {
  let pending = '';
  for (;;) {
    const data = await conn.recv();
    if (data === '') {
      conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 }); // "no lingering sockets"
      await conn.close();
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
