// SO_RCVBUF and SO_SNDBUF as Linux's sock_setsockopt keeps them: doubled, at
// least one minimal buffer, at most twice net.core.rmem_max / wmem_max; and the
// window Linux first advertises (tcp_select_initial_window): half the buffer
// kept (the value set, tcp_win_from_space at the initial scaling ratio), cut to
// a multiple of the MSS, and no larger after that in the simulator.
import { describe, expect, it } from 'vitest';
import { run } from './harness.ts';

describe('socket buffers (sock_setsockopt, tcp_win_from_space)', () => {
  it('getsockopt reports twice the value set, at least 2304 / 4608 bytes, at most twice rmem_max / wmem_max; unset, tcp_rmem[1] and tcp_wmem[1]', async () => {
    const got: Record<string, number> = {};
    await run((sim) => {
      const h = sim.host('a');
      h.sysctl('net.core.wmem_max', 50_000);
      h.run(async (os) => {
        const s = os.socket();
        got.rcvUnset = s.getsockopt('SO_RCVBUF');
        got.sndUnset = s.getsockopt('SO_SNDBUF');
        s.setsockopt('SO_RCVBUF', 10_000);
        got.rcv = s.getsockopt('SO_RCVBUF');
        s.setsockopt('SO_SNDBUF', 2_305);
        got.snd = s.getsockopt('SO_SNDBUF');
        s.setsockopt('SO_RCVBUF', 100);
        got.rcvMin = s.getsockopt('SO_RCVBUF');
        s.setsockopt('SO_SNDBUF', 100);
        got.sndMin = s.getsockopt('SO_SNDBUF');
        s.setsockopt('SO_RCVBUF', 10_000_000);
        got.rcvMax = s.getsockopt('SO_RCVBUF');
        s.setsockopt('SO_SNDBUF', 10_000_000);
        got.sndMax = s.getsockopt('SO_SNDBUF');
      });
    });
    // The same numbers as the kernel (conformance scenario so-rcvbuf-doubled).
    expect(got).toEqual({ rcvUnset: 131_072, sndUnset: 16_384, rcv: 20_000, snd: 4_610, rcvMin: 2_304, sndMin: 4_608, rcvMax: 8_388_608, sndMax: 100_000 });
  });

  it('the window advertised is half the doubled buffer cut to whole segments: an accepted socket inherits the buffer, and its window is a multiple of 1448 (the MSS less timestamps)', async () => {
    let accepted = 0;
    const r = await run((sim) => {
      const c = sim.host('client');
      const s = sim.host('server');
      sim.link(c, s, { delayMs: 1 });
      s.run(async (os) => {
        const l = os.socket();
        l.setsockopt('SO_RCVBUF', 3000);
        l.bind({ port: 80 });
        l.listen();
        const conn = await l.accept();
        accepted = conn.getsockopt('SO_RCVBUF');
        await os.sleep(1000);
      });
      c.run(async (os) => {
        const sk = os.socket();
        await sk.connect({ host: 'server', port: 80 });
        await sk.send('x'.repeat(10_000));
      });
    }, { untilMs: 2000 });
    expect(accepted).toBe(6000);
    const synAck = r.sent('server').find((e) => e.seg.flags === 'S.')!;
    expect(synAck.seg.win).toBe(2896);
    // The client sends no more than the 2896 bytes the window allows while the server does not read,
    // in segments of half the window (tcp_bound_to_half_wnd).
    const data = r.sent('client').filter((e) => e.seg.len > 0 && !e.seg.retransmission);
    expect(data.map((e) => e.seg.len)).toEqual([1448, 1448]);
  });

  async function synWindow(rcvbuf: number, timestamps: 0 | 1, side: 'client' | 'server' | 'none'): Promise<number> {
    const r = await run((sim) => {
      const c = sim.host('client');
      const s = sim.host('server');
      c.sysctl('net.ipv4.tcp_timestamps', timestamps);
      s.sysctl('net.ipv4.tcp_timestamps', timestamps);
      sim.link(c, s, { delayMs: 1 });
      s.run(async (os) => {
        const l = os.socket();
        if (side === 'server') l.setsockopt('SO_RCVBUF', rcvbuf);
        l.bind({ port: 80 });
        l.listen();
        await l.accept();
        await os.sleep(100);
      });
      c.run(async (os) => {
        const sk = os.socket();
        if (side === 'client') sk.setsockopt('SO_RCVBUF', rcvbuf);
        await sk.connect({ host: 'server', port: 80 });
        await os.sleep(100);
      });
    }, { untilMs: 500 });
    return r.sent(side === 'none' ? 'client' : side).find((e) => e.seg.syn)!.seg.win;
  }

  it('a connecting socket cuts its window to the full 1460-byte MSS (it knows no peer timestamp yet); an accepting one to 1460 when timestamps are off', async () => {
    expect(await synWindow(2048, 1, 'client')).toBe(1460);
    expect(await synWindow(3000, 0, 'server')).toBe(2920);
    expect(await synWindow(3000, 1, 'server')).toBe(2896);
  });

  it('a buffer no larger than one segment is advertised whole (1000 set: at least 2304 kept, half of it advertised), and a default buffer advertises 65535 (no window scaling in the simulator)', async () => {
    expect(await synWindow(1000, 1, 'server')).toBe(1152);
    expect(await synWindow(0, 1, 'none')).toBe(65_535);
  });
});
