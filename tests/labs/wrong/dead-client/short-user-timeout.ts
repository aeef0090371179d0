// expect-fail: keeps live clients that are idle or read slowly
// expect-message: TCP_USER_TIMEOUT (10000 ms) ran out
import type { Socket } from 'closing-time';

export function configure(listener: Socket): void {
  listener.setsockopt('SO_KEEPALIVE', true);
  listener.setsockopt('TCP_KEEPIDLE', 20);
  listener.setsockopt('TCP_KEEPINTVL', 5);
  listener.setsockopt('TCP_KEEPCNT', 3);
  // Ten seconds of unacknowledged data: also ends a reader that pauses for 15 s
  // (the zero-window probes count) and a reply sent into a 15 s outage.
  listener.setsockopt('TCP_USER_TIMEOUT', 10_000);
}
