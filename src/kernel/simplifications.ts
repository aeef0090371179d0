// Where the simulator knowingly differs from Linux today. `closing-time compare`
// names a difference after one of these instead of calling it a disagreement;
// remove an entry when the simulator learns the behaviour, and the comparison
// then holds the simulator to it.

export interface Simplification {
  readonly id: string;
  /** One line for people. */
  readonly text: string;
}

export const SIMPLIFICATIONS = {
  'delayed-ack': {
    id: 'delayed-ack',
    text: 'the simulator ACKs at once where Linux delays the ACK (of data, and of a FIN: Linux closes in three segments F. / F. / . where the simulator sends four), so bare ACKs differ in number',
  },
  nagle: {
    id: 'nagle',
    text: "the simulator has no Nagle algorithm: small sends go out as segments of their own where Linux may hold one back and send the bytes together, so the same bytes come in different segments",
  },
  'ephemeral-ports': {
    id: 'ephemeral-ports',
    text: 'both pick ephemeral ports as __inet_hash_connect does (a keyed hash of the destination, even offsets first, then a random step), but from different secret keys, so the numbers differ: ports are compared as "ephemeral", not by number; and which earlier TIME_WAIT a new connection meets and ends on its 4-tuple differs with them, so a TIME_WAIT taken over early shows on another socket in each run',
  },
} as const satisfies Record<string, Simplification>;

export type SimplificationId = keyof typeof SIMPLIFICATIONS;

/** What the comparison leaves out because the two runs cannot agree on it by design. */
export const NOT_COMPARED = [
  'times (the kernel run takes real time; only order is compared)',
  'initial sequence numbers (sequence and acknowledgment numbers are compared relative to them)',
  'windows and TCP options (the simulator advertises 65535 without window scaling, SACK or MSS options)',
  'program output (it prints ports and times)',
  'what happens after the kernel run ended (its TIME_WAIT timers are the kernel\'s and are not waited for)',
] as const;

/**
 * Lesson playgrounds whose comparison does not agree yet, and why, with what the
 * simulator (or the kernel run) would need. Each is a finding to resolve, not a
 * verdict: the test suite skips them, the conformance page lists them; remove an
 * entry once the playground agrees.
 */
export const PROGRAMS_NOT_YET: Readonly<Record<string, { readonly why: string; readonly needs: string }>> = {
  'so-linger/linger-blocking': {
    why: 'during the partition Linux sends a tail-loss probe (its FIN again, F. 11) before the first RTO retransmission (FP. 1:11), and its server sends its SYN-ACK again twice; the simulator has no tail-loss probe, so one FIN fewer, and one SYN-ACK',
    needs: 'a tail-loss probe (RFC 8985, tcp_schedule_loss_probe) in the simulator\'s retransmission timer; the SYN-ACK repeats need a look at the kernel run, which has no link delay (no netem) where the program asks for 100 ms',
  },
  'so-linger/linger-abort': {
    why: 'Linux cuts the 6000 bytes into 724-byte segments (at most half the largest window the server advertised, tcp_bound_to_half_wnd) and fits 2172 of them into the window it sizes from the doubled SO_RCVBUF by the overhead it measures (scaling_ratio); the simulator sends 1460 and 540 bytes into a window of exactly the 2000 set, so a recv() returns 1448 bytes on Linux and 2000 in the simulator. Linux also answers the server\'s last segment with a second RST',
    needs: 'in the simulator\'s send path, segments bounded by half the peer\'s largest window and the MSS less the timestamps option (1448 bytes); a receive window sized by the measured scaling ratio; then a look at the second RST',
  },
  'nat-and-load-balancers/shared-source': {
    why: 'the kernel run makes each host\'s network namespace synchronously inside sim.host(), and the busy-loop guard counts that time against the program: four hosts take more than its 2 s on a busy machine, so the run stops in the default export before any segment',
    needs: 'in the kernel run, namespaces made before the program\'s clock starts (or the guard paused while sim.host() builds one)',
  },
};
