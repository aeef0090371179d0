// Nagle's algorithm as Linux applies it (tcp_output.c tcp_nagle_test,
// tcp_nagle_check, tcp_minshall_check), with TCP_NODELAY and TCP_CORK.
import { describe, expect, it } from 'vitest';
import { createWorld } from '../../../src/sim/index.ts';
import type { Tcb } from '../../../src/sim/tcp/tcb.ts';
import { Bench } from './tcb-harness.ts';

function write(sk: Tcb, data: string): void {
  sk.sqAppend(data);
  sk.output();
}

const lens = (b: Bench, from: number): number[] => b.env.sent.slice(from).map((s) => s.len);

describe('Nagle (on by default)', () => {
  it('the first small write goes at once: nothing is in flight', () => {
    const b = new Bench();
    const sk = b.established();
    const n = b.env.sent.length;
    write(sk, 'a');
    expect(lens(b, n)).toEqual([1]);
  });

  it('a small write waits while an earlier small segment is unacknowledged, and goes with the ACK', () => {
    const b = new Bench();
    const sk = b.established();
    const n = b.env.sent.length;
    write(sk, 'a');
    write(sk, 'b');
    write(sk, 'c');
    expect(lens(b, n)).toEqual([1]);
    b.receive(b.segment('.'));
    expect(lens(b, n)).toEqual([1, 2]); // what waited goes as one segment
    expect(b.last.data).toBe('bc');
  });

  it('a full-sized segment is never held, nor a small one behind a full one (Minshall: only a small segment in flight holds)', () => {
    const b = new Bench();
    const sk = b.established();
    const n = b.env.sent.length;
    write(sk, 'x'.repeat(1460));
    write(sk, 'y');
    expect(lens(b, n)).toEqual([1460, 1]);
  });

  it('a FIN is never held: close() sends the held bytes with the FIN', () => {
    const b = new Bench();
    const sk = b.established();
    const n = b.env.sent.length;
    write(sk, 'a');
    write(sk, 'b');
    b.stack.close(sk);
    expect(b.env.sent.slice(n).map((s) => `${s.flags} ${s.len}`)).toEqual(['P. 1', 'FP. 1']);
  });
});

describe('TCP_NODELAY', () => {
  it('small writes go at once though a small segment is unacknowledged', () => {
    const b = new Bench();
    const sk = b.established();
    sk.setNodelay(true);
    const n = b.env.sent.length;
    write(sk, 'a');
    write(sk, 'b');
    expect(lens(b, n)).toEqual([1, 1]);
  });

  it('setting it sends what Nagle held', () => {
    const b = new Bench();
    const sk = b.established();
    const n = b.env.sent.length;
    write(sk, 'a');
    write(sk, 'b');
    sk.setNodelay(true);
    expect(lens(b, n)).toEqual([1, 1]);
  });
});

describe('TCP_CORK', () => {
  it('holds partial segments even with nothing in flight, sends full ones, and clearing it sends the rest', () => {
    const b = new Bench();
    const sk = b.established();
    sk.setCork(true);
    const n = b.env.sent.length;
    write(sk, 'head');
    expect(lens(b, n)).toEqual([]);
    write(sk, 'x'.repeat(1500));
    expect(lens(b, n)).toEqual([1460]);
    sk.setCork(false);
    expect(lens(b, n)).toEqual([1460, 44]);
  });

  it('held with nothing in flight, the probe timer sends it after about 200 ms (the cork\'s ceiling)', () => {
    const b = new Bench();
    const sk = b.established();
    sk.setCork(true);
    const n = b.env.sent.length;
    write(sk, 'head');
    b.env.advance(199);
    expect(lens(b, n)).toEqual([]);
    b.env.advance(1);
    expect(lens(b, n)).toEqual([4]);
  });
});

describe('the socket options', () => {
  it('setsockopt and getsockopt take TCP_NODELAY, TCP_CORK and TCP_QUICKACK as booleans; an accepted socket inherits TCP_NODELAY', async () => {
    const world = createWorld({ seed: 1 });
    const server = world.host('server');
    const client = world.host('client');
    const seen: unknown[] = [];
    server.run(async (os) => {
      const l = os.socket();
      l.setsockopt('TCP_NODELAY', true);
      l.bind({ port: 80 });
      l.listen();
      const c = await l.accept();
      seen.push(c.getsockopt('TCP_NODELAY'), c.getsockopt('TCP_CORK'), c.getsockopt('TCP_QUICKACK'));
      c.setsockopt('TCP_QUICKACK', false);
      seen.push(c.getsockopt('TCP_QUICKACK'));
      await c.close();
    });
    client.run(async (os) => {
      const s = os.socket();
      expect(() => s.setsockopt('TCP_NODELAY', 'yes' as never)).toThrow(/EINVAL/);
      s.setsockopt('TCP_CORK', true);
      seen.push(s.getsockopt('TCP_CORK'));
      await s.connect({ host: 'server', port: 80 });
      await s.close();
    });
    await world.run();
    expect(seen).toEqual([true, true, false, true, false]);
  });
});
