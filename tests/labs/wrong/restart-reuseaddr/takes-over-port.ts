// expect-fail: a second server cannot take a running server's port
// expect-message: listen() must not close another server's listener
import type { OS, Socket } from 'closing-time';

// A restart closes the previous listener itself before binding, so the new
// server never finds its own old listener in the way.
let previous: Socket | undefined;

export async function listen(os: OS, port: number): Promise<Socket> {
  if (previous && previous.state === 'LISTEN') await previous.close();
  const ls = os.socket();
  ls.setsockopt('SO_REUSEADDR', true);
  try {
    ls.bind({ port });
    ls.listen();
  } catch (error) {
    await ls.close();
    throw error;
  }
  previous = ls;
  return ls;
}
