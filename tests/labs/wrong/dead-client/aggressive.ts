// expect-fail: keeps clients through a 15-second outage
// expect-message: Keepalive gave up on it
import type { Socket } from 'closing-time';

export function configure(listener: Socket): void {
  // Dead in a few seconds: and so is a phone in a lift.
  listener.setsockopt('SO_KEEPALIVE', true);
  listener.setsockopt('TCP_KEEPIDLE', 2);
  listener.setsockopt('TCP_KEEPINTVL', 1);
  listener.setsockopt('TCP_KEEPCNT', 2);
  listener.setsockopt('TCP_USER_TIMEOUT', 5_000);
}
