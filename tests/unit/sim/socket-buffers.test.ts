// SO_RCVBUF and SO_SNDBUF as Linux's sock_setsockopt keeps them: doubled, at
// least one minimal buffer, at most twice net.core.rmem_max / wmem_max; and the
// window the simulator advertises is half the buffer kept (the value set).
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

  it('the window advertised is half the doubled buffer: the value set; an accepted socket inherits it', async () => {
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
    expect(synAck.seg.win).toBe(3000);
    // The client sends no more than the 3000 bytes the window allows while the server does not read.
    const data = r.sent('client').filter((e) => e.seg.len > 0 && !e.seg.retransmission).reduce((n, e) => n + e.seg.len, 0);
    expect(data).toBe(3000);
  });
});
