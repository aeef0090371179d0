// expect-fail: no CLOSE_WAIT or open descriptor after the clients leave
// expect-message: does your handler close() on EOF?
import type { Socket } from 'closing-time';

export async function handle(conn: Socket): Promise<void> {
  let pending = '';
  try {
    for (;;) {
      const data = await conn.recv();
      if (data === '') return; // the client is done
      pending += data;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        await conn.send(`OK ${pending.slice(0, nl)}\n`);
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
      }
    }
  } catch {
    await conn.close(); // close when something went wrong
  }
}
