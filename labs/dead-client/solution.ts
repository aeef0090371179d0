import type { Socket } from 'closing-time';

export function configure(listener: Socket): void {
  // An idle connection: probe after 20 s of silence, then every 5 s; after 3
  // unanswered probes the kernel resets it (20 + 3 x 5 = 35 s). A client that
  // is back within 15 s answers the first probe.
  listener.setsockopt('SO_KEEPALIVE', true);
  listener.setsockopt('TCP_KEEPIDLE', 20);
  listener.setsockopt('TCP_KEEPINTVL', 5);
  listener.setsockopt('TCP_KEEPCNT', 3);
  // Data in flight (keepalive waits then) or a window shut: give up once it has
  // gone unacknowledged for 35 s, counted from the first retransmission or
  // probe. Long enough to outlast a 15 s outage plus the retransmission
  // back-off; at least KEEPIDLE + KEEPINTVL x KEEPCNT so keepalive is not cut short.
  listener.setsockopt('TCP_USER_TIMEOUT', 35_000);
}
