import type { Socket } from 'closing-time';

// Fewer, later probes: the first after 10 s, then every 10 s, four of them
// (50 s); a client back within 15 s answers the second.
export function configure(listener: Socket): void {
  listener.setsockopt('TCP_KEEPIDLE', 10);
  listener.setsockopt('TCP_KEEPINTVL', 10);
  listener.setsockopt('TCP_KEEPCNT', 4);
  listener.setsockopt('SO_KEEPALIVE', true);
  listener.setsockopt('TCP_USER_TIMEOUT', 50_000);
}
