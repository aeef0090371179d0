import type { Socket } from 'closing-time';

/**
 * Called for every accepted connection. The client sends one request line,
 * then reads the reply until EOF.
 *
 * `load.overloaded` is true when the server already has 4 connections in
 * progress: shed that connection at once, before reading or sending anything,
 * with an abortive close (RST) so the server keeps no state for it.
 * Otherwise read the request line, send the reply (`await load.reply()` makes
 * it: that takes a few hundred ms, and it can be larger than the socket buffers) and close: every byte of the reply must arrive.
 *
 * Someone "fixed" TIME_WAIT on this server with SO_LINGER 0 on every
 * connection. Find out what that costs, and fix the handler.
 */
export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void> {
  conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 }); // "no more TIME_WAIT"
  let request = '';
  while (!request.endsWith('\n')) {
    const part = await conn.recv();
    if (part === '') break;
    request += part;
  }
  await conn.send(await load.reply());
  await conn.close();
}
