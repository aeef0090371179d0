// expect-fail: closes the socket of a failed listen()
// expect-message: close() was never called
import type { OS, Socket } from 'closing-time';

// Right option, right place; but when bind() throws EADDRINUSE the new socket
// is dropped without close().
export async function listen(os: OS, port: number): Promise<Socket> {
  const ls = os.socket();
  ls.setsockopt('SO_REUSEADDR', true);
  ls.bind({ port });
  ls.listen();
  return ls;
}
