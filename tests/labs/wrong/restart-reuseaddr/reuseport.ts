// expect-fail: a second server cannot take a running server's port
// expect-message: SO_REUSEPORT
import type { OS, Socket } from 'closing-time';

export async function listen(os: OS, port: number): Promise<Socket> {
  const ls = os.socket();
  ls.setsockopt('SO_REUSEPORT', true);
  ls.bind({ port });
  ls.listen();
  return ls;
}
