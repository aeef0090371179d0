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
    text: 'both delay ACKs as Linux does (a FIN\'s ACK rides on a prompt close: F. / F. / .), but the kernel run takes real time: a program that pauses between reading and writing, or a timer tick, can make an ACK go alone on one side and ride on the next segment on the other, so bare ACKs may differ in number',
  },
  nagle: {
    id: 'nagle',
    text: "both hold a small send back while a small segment is unacknowledged (Nagle), but whether the ACK is back before the next send depends on real time in the kernel run, so the same bytes may come in different segments",
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
    why: 'the data now agrees: both cut the 6000 bytes into 724-byte segments (half the largest window the server advertised, tcp_bound_to_half_wnd) and send 1448 of them into the window sized from the doubled SO_RCVBUF, and the server reads 1448 bytes. What differs is the end: in the simulator the server\'s delayed ACK, sent 10 ms before the abort over the 10 ms link, reaches the client just after its close() and is answered with a second RST (R 1449); in the kernel run it came before. Linux also marks the second segment PSH (forced_push: more than half the peer\'s largest window written since the last push)',
    needs: 'a look at the kernel run\'s timing of that ACK against the abort (same instant in virtual time in the simulator), and PSH marking by forced_push in the simulator\'s send path',
  },
  'dead-peers/user-timeout': {
    why: 'while the client is cut off, Linux sends a tail-loss probe (the reply again, P. 1:20, about 230 ms after it) before its first RTO retransmission, then backs off from there; the simulator has no tail-loss probe, so in the first 4 s it retransmits the reply three times where Linux sends it four times. The ETIMEDOUT 10 s on comes after the compared seconds',
    needs: 'a tail-loss probe (RFC 8985, tcp_schedule_loss_probe) in the simulator\'s retransmission timer, as for linger-blocking',
  },
  'diagnosing/diagnosing-timers': {
    why: 'the client\'s request, sent into a partition, is retransmitted with a tail-loss probe first on Linux (about 225 ms after it, then the RTO back-off from there); the simulator has no tail-loss probe, so one P. 1:9 fewer in the first 4 s',
    needs: 'a tail-loss probe (RFC 8985, tcp_schedule_loss_probe) in the simulator\'s retransmission timer, as for linger-blocking and user-timeout',
  },
  'http-keep-alive/keep-alive-lingering-close': {
    why: 'two things differ (the segments agree in size: both carry 1448 bytes, the MSS less the timestamps option). (1) recv() returns what is queued when the reader runs: the kernel run\'s reader wakes milliseconds late and takes 14480 or 15928 bytes at once, the simulator\'s, woken at each segment in virtual time, 1448; that is timing, but it cuts the call lists apart. (2) where \'plain\'\'s close() falls is real timing on the kernel: one run had sent its whole 20 KB page and its FIN (FP. 18825:20072) before its close() met the unread body, so the client saw CLOSE_WAIT and 14 RSTs; another had sent 14480 bytes (R. 14481), as the simulator has when its close() comes, which it answers with 21 RSTs and no FIN',
    needs: 'byte counts compared per connection rather than per recv() call where the reader is not the point; and a look at when a blocking send() of 20 KB returns on Linux (the send buffer tcp_sndbuf_expand grows after the handshake) against the simulator, which decides whether close() finds the page sent',
  },
  'nat-and-load-balancers/shared-source': {
    why: 'it now runs on the kernel (namespaces are no longer counted by the busy-loop guard) and the calls and the gateway\'s TIME_WAITs agree; what differs is how each client-to-gateway connection ends. The gateway sends the response and closes at once while the client closes on reading it, over a 1 ms link: in the simulator the two FINs cross (CLOSING, then TIME_WAIT on both ends); on Linux the client sees the gateway\'s FIN first (CLOSE_WAIT, LAST_ACK), and in the kernel run each call takes a few real milliseconds, longer than the link, so sometimes the gateway sees the client\'s FIN first instead',
    needs: 'in the simulator, a check of the order at one instant: data and a FIN arriving together are both processed (as Linux\'s softirq does) before the woken reader runs and closes, which would give Linux\'s CLOSE_WAIT on the client; the kernel run\'s side of the race needs calls much faster than the 1 ms link, or a longer client link in the playground',
  },
};
