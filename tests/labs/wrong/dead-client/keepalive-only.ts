// expect-fail: reclaims a client that vanished with a reply in flight
// expect-message: Keepalive sends nothing while data is unacknowledged
import type { Socket } from 'closing-time';

export function configure(listener: Socket): void {
  listener.setsockopt('SO_KEEPALIVE', true);
  listener.setsockopt('TCP_KEEPIDLE', 20);
  listener.setsockopt('TCP_KEEPINTVL', 5);
  listener.setsockopt('TCP_KEEPCNT', 3);
}
