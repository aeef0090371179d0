import type { Socket } from 'closing-time';

/**
 * Called once for every accepted connection. The protocol: the client sends
 * lines ending in '\n'; answer each with "OK <line>\n". The client may send
 * several lines in one segment or split a line across segments. When the
 * client is done it closes (or half-closes) its side.
 *
 * This server works, but `ss -tan` on it fills up with CLOSE-WAIT. Fix it.
 */
export async function handle(conn: Socket): Promise<void> {
  let pending = '';
  for (;;) {
    const data = await conn.recv();
    if (data === '') {
      return; // the client has gone away
    }
    pending += data;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      await conn.send(`OK ${line}\n`);
      nl = pending.indexOf('\n');
    }
  }
}
