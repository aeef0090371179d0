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
  'fin-ack-in-fin-wait-1': {
    id: 'fin-ack-in-fin-wait-1',
    text: 'a FIN that also ACKs our FIN takes the simulator from FIN_WAIT_1 straight to TIME_WAIT; Linux passes through FIN_WAIT_2 on the way (tcp_rcv_state_process sets it before tcp_fin() runs), and RFC 9293 says the same. With delayed ACKs this is the usual three-segment close; the kernel run, slower between calls, often sends the ACK alone instead',
  },
  'ephemeral-ports': {
    id: 'ephemeral-ports',
    text: 'both pick ephemeral ports as __inet_hash_connect does (a keyed hash of the destination, even offsets first), but from different secret keys, so the numbers differ: ports are compared as "ephemeral", not by number',
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
