// An unusual but correct listen(): binds the wildcard address explicitly, asks
// for the largest backlog the host allows, keeps a module-level log of the
// listeners it opened (for diagnostics only: the kernel, not this table,
// decides who may bind), and releases the socket in a finally block when
// anything before the return fails.
import type { OS, Socket } from 'closing-time';

const opened: { port: number; at: number }[] = [];

export async function listen(os: OS, port: number): Promise<Socket> {
  const ls = os.socket();
  let ok = false;
  try {
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ ip: '0.0.0.0', port });
    ls.listen(os.sysctl('net.core.somaxconn'));
    ok = true;
    opened.push({ port, at: os.now() });
    return ls;
  } finally {
    if (!ok) await ls.close();
  }
}
