// What a fuzzed world records about its byte streams and failed calls; no
// simulator import here, so the invariant checkers can be tested on their own.

export type Direction = 'c2s' | 's2c';

export interface StreamLog {
  /** Every byte passed to send(), in order, whether or not the call succeeded. */
  offered: string;
  /** Bytes of the send() calls that resolved. */
  accepted: string;
  /** Bytes recv() returned, in order. */
  read: string;
  /** recv() returned '' (the peer's FIN). */
  sawEof: boolean;
}

export interface CallRecord {
  process: string;
  call: string;
  errno: string;
}

/** The bytes of one direction of one connection: a long-period text, so a duplicated or reordered chunk cannot pass for the right one. */
export class StreamText {
  private text = '';
  private n = 0;
  constructor(private readonly tag: string) {}
  slice(start: number, length: number): string {
    while (this.text.length < start + length) this.text += `${this.tag}${this.n++};`;
    return this.text.slice(start, start + length);
  }
}

export const DELIBERATE_MESSAGE = 'fuzz: this process throws on purpose';
