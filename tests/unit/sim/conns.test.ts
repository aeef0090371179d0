// The connection table against a Map doing the same random inserts, replacements and deletions.
import { describe, expect, it } from 'vitest';
import { ConnTable } from '../../../src/sim/tcp/conns.ts';
import { Prng } from '../../../src/sim/prng.ts';

type Entry = { stamp: number; name: string };

function churn(seed: number, peers: number, portRange: number, steps: number): void {
    const prng = new Prng(seed);
    const rnd = () => prng.next();
    const table = new ConnTable();
    const ref = new Map<string, Entry>();
    const order: Entry[] = [];
    let made = 0;
    for (let step = 0; step < steps; step++) {
      const peer = 2 + Math.floor(rnd() * peers) * 2;
      const ports = ((32768 + Math.floor(rnd() * portRange)) << 16) | 80;
      const k = `${peer}/${ports}`;
      const op = rnd();
      if (op < 0.5) {
        const e = { stamp: 0, name: `e${made++}` };
        const old = ref.get(k);
        table.set(peer, ports, e as never);
        if (old) {
          expect(e.stamp).toBe(old.stamp); // a replacement keeps its place
          order[order.indexOf(old)] = e;
        } else order.push(e);
        ref.set(k, e);
      } else if (op < 0.8) {
        table.delete(peer, ports);
        const old = ref.get(k);
        if (old) order.splice(order.indexOf(old), 1);
        ref.delete(k);
      } else {
        expect(table.get(peer, ports)).toBe(ref.get(k));
      }
      if (step % 1000 === 0) {
        for (const [key, e] of ref) {
          const [p, q] = key.split('/').map(Number) as [number, number];
          expect(table.get(p, q)).toBe(e);
        }
        expect(table.values()).toEqual(order);
        // The port bitmaps: built the first time they are asked for (step 1000, over a full
        // table) and kept up to date by every insert and deletion after it.
        if (step > 0) {
          for (let p = 0; p < peers; p++) {
            const peer = 2 + p * 2;
            const bits = table.localPortsTo(peer, 80);
            for (let port = 32768; port < 32768 + portRange; port++) {
              const held = (bits[port >>> 5]! >>> (port & 31)) & 1;
              expect(held, `peer ${peer} port ${port}`).toBe(ref.has(`${peer}/${((port << 16) | 80) | 0}`) ? 1 : 0);
            }
          }
        }
      }
    }
    expect(table.values().length).toBe(ref.size);
}

describe('ConnTable', () => {
  it('agrees with a Map through growth and churn', () => {
    // Few peers and a narrow port range: many keys share probe runs.
    churn(7, 3, 3000, 60_000);
  });

  it('agrees with a Map in a small table, where probe runs wrap around its end', () => {
    // About 40 live keys stay in the smallest table, so deletions often shift entries across the wrap.
    for (let seed = 1; seed <= 20; seed++) churn(seed, 1, 50, 5_000);
  });

  it('deleteIf removes a key only while it maps to the given entry', () => {
    const table = new ConnTable();
    const a = { stamp: 0 } as never;
    const b = { stamp: 0 } as never;
    table.set(2, 5, a);
    table.deleteIf(2, 5, b);
    expect(table.get(2, 5)).toBe(a);
    table.deleteIf(2, 5, a);
    expect(table.get(2, 5)).toBeUndefined();
  });
});
