// expect-fail: listens on the given port
// expect-message: not port
import type { OS, Socket } from 'closing-time';

// The lab's examples use 8080, so this binds 8080 whatever it is given.
export async function listen(os: OS, _port: number): Promise<Socket> {
  const ls = os.socket();
  ls.setsockopt('SO_REUSEADDR', true);
  try {
    ls.bind({ port: 8080 });
    ls.listen();
  } catch (error) {
    await ls.close();
    throw error;
  }
  return ls;
}
