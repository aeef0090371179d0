// expect-fail: restarts at once while old connections sit in TIME_WAIT
// expect-message: waiting for TIME_WAIT to expire
import type { OS, Socket } from 'closing-time';

export async function listen(os: OS, port: number): Promise<Socket> {
  for (;;) {
    const ls = os.socket();
    try {
      ls.bind({ port });
      ls.listen();
      return ls;
    } catch (error) {
      await ls.close();
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
      await os.sleep(5000); // try again later
    }
  }
}
