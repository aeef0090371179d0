import type { Tcb } from './tcb.ts';
import type { TimeWait } from './timewait.ts';

type Entry = Tcb | TimeWait;

const MIN_SLOTS = 64;

/**
 * A host's connection table: 4-tuples to sockets and TIME_WAIT minisocks.
 *
 * A 4-tuple is two int32s: the peer (Stack.peerOf: the peer's address, and whether
 * the local address is loopback) and both ports (local << 16 | remote). The table
 * is open addressing with linear probing: the keys sit side by side in one
 * Int32Array and the entries in a parallel array, so a lookup reads a few adjacent
 * words instead of walking a hash map's chains. It is on every segment's path, and
 * a busy client keeps tens of thousands of TIME_WAIT entries in it. Deletion shifts
 * the following entries back (no tombstones), so a table that churns stays fast.
 *
 * Entries carry a stamp, so listings keep the order entries were first put in
 * (a minisock takes its socket's place).
 */
export class ConnTable {
  /** [peer, ports] per slot. */
  private keys = new Int32Array(2 * MIN_SLOTS);
  /** The entry per slot; undefined marks a free slot. */
  private vals: (Entry | undefined)[] = new Array<Entry | undefined>(MIN_SLOTS).fill(undefined);
  private mask = MIN_SLOTS - 1;
  private count = 0;
  private nextStamp = 1;
  /**
   * Per destination (peer and remote port), a bitmap of the local ports that
   * have an entry to it: what connect()'s port search asks of every port it
   * walks (Stack.ephemeralPort), answered 32 ports per word instead of one
   * lookup per port. Built for a destination the first time the search asks
   * about it, and kept up to date from then on; a server's table, whose
   * entries each go to another client port, never builds one.
   */
  private used = new Map<number, Uint32Array>();

  private mark(peer: number, ports: number, on: boolean): void {
    if (this.used.size === 0) return;
    const b = this.used.get(peer * 65536 + (ports & 0xffff));
    if (b === undefined) return;
    const lport = ports >>> 16;
    if (on) b[lport >>> 5]! |= 1 << (lport & 31);
    else b[lport >>> 5]! &= ~(1 << (lport & 31));
  }

  /** The local ports with an entry to (peer, remote port), as a bitmap (bit p of word p >>> 5). */
  localPortsTo(peer: number, rport: number): Uint32Array {
    const dest = peer * 65536 + rport;
    let b = this.used.get(dest);
    if (b === undefined) {
      b = new Uint32Array(2048);
      const keys = this.keys;
      const vals = this.vals;
      for (let i = 0; i < vals.length; i++) {
        if (vals[i] === undefined || keys[2 * i] !== peer || (keys[2 * i + 1]! & 0xffff) !== rport) continue;
        const lport = keys[2 * i + 1]! >>> 16;
        b[lport >>> 5]! |= 1 << (lport & 31);
      }
      this.used.set(dest, b);
    }
    return b;
  }

  private home(peer: number, ports: number): number {
    // murmur3's finalizer: every key bit reaches the low bits that pick the slot.
    let h = ports ^ Math.imul(peer, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.mask;
  }

  /** The slot holding this key, or -1. */
  private find(peer: number, ports: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    for (let i = this.home(peer, ports); ; i = (i + 1) & mask) {
      if (vals[i] === undefined) return -1;
      if (keys[2 * i + 1] === ports && keys[2 * i] === peer) return i;
    }
  }

  get(peer: number, ports: number): Entry | undefined {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    for (let i = this.home(peer, ports); ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === undefined || (keys[2 * i + 1] === ports && keys[2 * i] === peer)) return v;
    }
  }

  set(peer: number, ports: number, v: Entry): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(peer, ports);
    for (; ; i = (i + 1) & mask) {
      const old = vals[i];
      if (old === undefined) break;
      if (keys[2 * i + 1] === ports && keys[2 * i] === peer) {
        v.stamp = old.stamp;
        vals[i] = v;
        return;
      }
    }
    v.stamp = this.nextStamp++;
    this.mark(peer, ports, true);
    keys[2 * i] = peer;
    keys[2 * i + 1] = ports;
    vals[i] = v;
    if (++this.count * 2 > vals.length) this.resize(vals.length * 2);
  }

  delete(peer: number, ports: number): void {
    const i = this.find(peer, ports);
    if (i >= 0) this.removeAt(i);
  }

  /** Deletes the key only while it maps to `v`. */
  deleteIf(peer: number, ports: number, v: Entry): void {
    const i = this.find(peer, ports);
    if (i >= 0 && this.vals[i] === v) this.removeAt(i);
  }

  /** Backward-shift deletion: later entries of the probe run move into the hole when their home allows. */
  private removeAt(hole: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    this.mark(keys[2 * hole]!, keys[2 * hole + 1]!, false);
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const v = vals[j];
      if (v === undefined) break;
      const home = this.home(keys[2 * j]!, keys[2 * j + 1]!);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      if (hole <= j ? hole < home && home <= j : hole < home || home <= j) continue;
      keys[2 * hole] = keys[2 * j]!;
      keys[2 * hole + 1] = keys[2 * j + 1]!;
      vals[hole] = v;
      hole = j;
    }
    vals[hole] = undefined;
    this.count--;
  }

  private resize(slots: number): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Int32Array(2 * slots);
    this.vals = new Array<Entry | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    const keys = this.keys;
    const vals = this.vals;
    for (let j = 0; j < oldVals.length; j++) {
      const v = oldVals[j];
      if (v === undefined) continue;
      const peer = oldKeys[2 * j]!;
      const ports = oldKeys[2 * j + 1]!;
      let i = this.home(peer, ports);
      while (vals[i] !== undefined) i = (i + 1) & this.mask;
      keys[2 * i] = peer;
      keys[2 * i + 1] = ports;
      vals[i] = v;
    }
  }

  /** Every entry, in the order they were first put in. A copy: callers may change the table while they go through it. */
  values(): Entry[] {
    const out: Entry[] = [];
    for (const v of this.vals) if (v !== undefined) out.push(v);
    return out.sort((a, b) => a.stamp - b.stamp);
  }

  clear(): void {
    this.keys = new Int32Array(2 * MIN_SLOTS);
    this.vals = new Array<Entry | undefined>(MIN_SLOTS).fill(undefined);
    this.mask = MIN_SLOTS - 1;
    this.count = 0;
    this.used.clear();
  }
}
