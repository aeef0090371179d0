import type { OS, Socket } from 'closing-time';

/**
 * Returns a socket listening on `port` for the server to accept() on.
 *
 * The server is restarted often (deployments). Right now every restart fails
 * with EADDRINUSE for a minute, because the old server's connections sit in
 * TIME_WAIT on that port. Make the restart work at once, without allowing two
 * servers to listen on the same port at the same time.
 */
export async function listen(os: OS, port: number): Promise<Socket> {
  const ls = os.socket();
  ls.bind({ port });
  ls.listen();
  return ls;
}
