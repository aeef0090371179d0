// expect-fail: reclaims a client that vanished while idle
// expect-message: still held its connection
import type { Socket } from 'closing-time';

export function configure(listener: Socket): void {
  console.log('dead client reclaimed after 35 s');
  console.log('ESTABLISHED -> CLOSED (keepalive timeout)');
  void listener;
}
