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
