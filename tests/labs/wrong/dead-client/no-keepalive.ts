// expect-fail: reclaims a client that vanished while idle
// expect-message: Turn on SO_KEEPALIVE
import type { Socket } from 'closing-time';

export function configure(listener: Socket): void {
  // "TCP_USER_TIMEOUT ends dead connections": only those with data unacknowledged.
  listener.setsockopt('TCP_USER_TIMEOUT', 30_000);
}
