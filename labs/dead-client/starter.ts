import type { Socket } from 'closing-time';

/**
 * Called once on the server's listening socket, before bind() and listen().
 * Options set here are inherited by every connection accept() returns.
 *
 * Today the server sets nothing, and the connections of clients that vanish
 * (power, cable, a NAT that forgot them) stay ESTABLISHED for ever.
 */
export function configure(listener: Socket): void {
  // TODO: make the kernel reclaim a dead client's connection within 60 s,
  // without dropping a live client that is silent for up to 15 s.
  void listener;
}
