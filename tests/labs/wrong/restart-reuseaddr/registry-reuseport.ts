// expect-fail: a second server cannot take a running server's port
// expect-message: a second program (a separately loaded copy of your module) bound port
import { SocketError, type OS, type Socket } from 'closing-time';

// SO_REUSEPORT makes every restart bind at once; a table of this module's
// listeners refuses a second server on a port that is still listening.
const listening = new Map<number, Socket>();

export async function listen(os: OS, port: number): Promise<Socket> {
  const current = listening.get(port);
  if (current && current.state === 'LISTEN') throw new SocketError('EADDRINUSE', 'bind', `port ${port} is already in use`);
  const ls = os.socket();
  ls.setsockopt('SO_REUSEADDR', true);
  ls.setsockopt('SO_REUSEPORT', true);
  ls.bind({ port });
  ls.listen();
  listening.set(port, ls);
  return ls;
}
