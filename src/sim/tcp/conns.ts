import type { Tcb } from './tcb.ts';
import type { TimeWait } from './timewait.ts';

type Entry = Tcb | TimeWait;

/**
 * A host's connection table: 4-tuples to sockets and TIME_WAIT minisocks.
 *
 * One map per peer (see Stack.peerOf: the peer's address, and whether the local
 * address is loopback), keyed by the two ports as one int32. That key is a small
 * integer to V8, so a lookup compares keys in the table itself instead of following
 * a boxed number for each candidate: the table is on every segment's path, and a
 * busy client keeps tens of thousands of TIME_WAIT entries in it.
 *
 * Entries carry a stamp, so listings keep the order entries were first put in
 * (a minisock takes its socket's place), as one map would.
 */
export class ConnTable {
  private peers = new Map<number, Map<number, Entry>>();
  /** The last peer's map: most segments in a row come from the same peer. */
  private lastPeer = -1;
  private lastMap: Map<number, Entry> | undefined = undefined;
  private nextStamp = 1;

  private map(peer: number, create: boolean): Map<number, Entry> | undefined {
    if (peer === this.lastPeer) return this.lastMap;
    let m = this.peers.get(peer);
    if (m === undefined) {
      if (!create) return undefined;
      this.peers.set(peer, (m = new Map()));
    }
    this.lastPeer = peer;
    this.lastMap = m;
    return m;
  }

  get(peer: number, ports: number): Entry | undefined {
    const m = this.map(peer, false);
    return m === undefined ? undefined : m.get(ports);
  }

  set(peer: number, ports: number, v: Entry): void {
    const m = this.map(peer, true)!;
    const old = m.get(ports);
    v.stamp = old === undefined ? this.nextStamp++ : old.stamp;
    m.set(ports, v);
  }

  delete(peer: number, ports: number): void {
    this.map(peer, false)?.delete(ports);
  }

  /** Every entry, in the order they were first put in. A copy: callers may change the table while they go through it. */
  values(): Entry[] {
    const out: Entry[] = [];
    for (const m of this.peers.values()) for (const v of m.values()) out.push(v);
    if (this.peers.size > 1) out.sort((a, b) => a.stamp - b.stamp);
    return out;
  }

  clear(): void {
    this.peers.clear();
    this.lastPeer = -1;
    this.lastMap = undefined;
  }
}
