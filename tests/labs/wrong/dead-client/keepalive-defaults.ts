// expect-fail: reclaims a client that vanished while idle
// expect-message: 2 h 11 min 15 s
import type { Socket } from 'closing-time';

export function configure(listener: Socket): void {
  listener.setsockopt('SO_KEEPALIVE', true);
  listener.setsockopt('TCP_USER_TIMEOUT', 30_000);
}
