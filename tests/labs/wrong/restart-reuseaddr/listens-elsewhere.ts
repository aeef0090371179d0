// expect-fail: a second server cannot take a running server's port
// expect-message: instead of failing with EADDRINUSE: clients still connect to
import type { OS, Socket } from 'closing-time';
// When the port is taken, bind any free port instead and return that: listen()
// always "succeeds", on a port no client knows.
export async function listen(os: OS, port: number): Promise<Socket> {
  const ls = os.socket();
  try {
    ls.bind({ port });
  } catch {
    ls.bind({ port: 0 });
  }
  ls.listen(4096);
  return ls;
}
