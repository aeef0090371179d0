// expect-fail: restarts at once while old connections sit in TIME_WAIT
// expect-message: before bind()
import type { OS, Socket } from 'closing-time';

export async function listen(os: OS, port: number): Promise<Socket> {
  const ls = os.socket();
  ls.bind({ port });
  ls.setsockopt('SO_REUSEADDR', true); // too late: bind() already checked
  ls.listen();
  return ls;
}
