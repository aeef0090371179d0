import type { OS, Socket } from 'closing-time';

export async function listen(os: OS, port: number): Promise<Socket> {
  const ls = os.socket();
  // Before bind(): Linux checks the flag at bind time, on the new socket and on
  // every socket already on the port. The accepted sockets (and the TIME_WAIT
  // sockets they become) inherit it from this listener, so the next restart's
  // bind() finds them marked too.
  ls.setsockopt('SO_REUSEADDR', true);
  try {
    ls.bind({ port });
    ls.listen();
  } catch (error) {
    // EADDRINUSE while another server listens: give the descriptor back.
    await ls.close();
    throw error;
  }
  return ls;
}
