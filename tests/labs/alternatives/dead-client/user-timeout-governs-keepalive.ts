import type { Socket } from 'closing-time';

// Keepalive alone would give up after 15 + 9 x 5 = 60 s; TCP_USER_TIMEOUT
// (40 s) takes over once probes are out, and bounds unacknowledged data too.
export function configure(listener: Socket): void {
  listener.setsockopt('SO_KEEPALIVE', true);
  listener.setsockopt('TCP_KEEPIDLE', 16);
  listener.setsockopt('TCP_KEEPINTVL', 5);
  listener.setsockopt('TCP_KEEPCNT', 9);
  listener.setsockopt('TCP_USER_TIMEOUT', 40_000);
}
