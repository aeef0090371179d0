// expect-fail: serves a burst of clients at once
// expect-message: your listen() passed backlog 4
import type { OS, Socket } from 'closing-time';

// SO_REUSEADDR for restarts, and a "small, tidy" backlog.
export async function listen(os: OS, port: number): Promise<Socket> {
  const ls = os.socket();
  ls.setsockopt('SO_REUSEADDR', true);
  try {
    ls.bind({ port });
    ls.listen(4);
  } catch (error) {
    await ls.close();
    throw error;
  }
  return ls;
}
