// Dead peers, per state: SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT, and
// TCP_USER_TIMEOUT (Linux tcp_keepalive_timer, tcp_write_timeout). One
// connection per test, driven by hand-made segments and the fake clock of
// tcb-harness.ts, as in tcb-states.test.ts.
import { describe, expect, it } from 'vitest';
import { seqAdd } from '../../../src/sim/segment.ts';
import { ssRows } from '../../../src/sim/ss.ts';
import { Bench } from './tcb-harness.ts';
import { run } from './harness.ts';

/** A connection with keepalive on: idle 10 s, probes every 2 s, 3 of them. */
function keepalive(b: Bench, state: 'established' | 'closeWait' | 'finWait1' | 'finWait2' = 'established') {
  const sk = b[state]();
  sk.deadPeer().intvl = 2;
  sk.deadPeer().cnt = 3;
  sk.setKeepidle(10);
  sk.setKeepalive(true);
  return sk;
}

describe('keepalive in ESTABLISHED', () => {
  it('test_keepalive_off_by_default: an idle connection without SO_KEEPALIVE sends nothing for hours', () => {
    const b = new Bench();
    const sk = b.established();
    const n = b.env.sent.length;
    b.env.advance(10 * 3600_000);
    expect(b.env.sent.length).toBe(n);
    expect(sk.state).toBe('ESTABLISHED');
    expect(sk.ka).toBeNull();
  });

  it('test_keepalive_defaults: without TCP_KEEPIDLE the first probe comes after net.ipv4.tcp_keepalive_time, then every tcp_keepalive_intvl', () => {
    const b = new Bench({ 'net.ipv4.tcp_keepalive_time': 30, 'net.ipv4.tcp_keepalive_intvl': 5 });
    const sk = b.established();
    sk.setKeepalive(true);
    const n = b.env.sent.length;
    b.env.advance(29_999);
    expect(b.env.sent.length).toBe(n);
    b.env.advance(1);
    expect(b.env.sent.length).toBe(n + 1);
    b.env.advance(4_999);
    expect(b.env.sent.length).toBe(n + 1);
    b.env.advance(1);
    expect(b.env.sent.length).toBe(n + 2);
  });

  it('test_keepalive_probe: after the idle time a probe goes out: seq = snd_una - 1, ACK, no data', () => {
    const b = new Bench();
    const sk = keepalive(b);
    const n = b.env.sent.length;
    b.env.advance(9_999);
    expect(b.env.sent.length).toBe(n);
    b.env.advance(1);
    expect(b.env.sent.length).toBe(n + 1);
    expect(b.last.flags).toBe('.');
    expect(b.last.seq32).toBe(seqAdd(sk.sndUna, -1));
    expect(b.last.data).toBe('');
    expect(b.env.timerLog.filter((t) => t.startsWith('keepalive'))).toEqual(['keepalive set', 'keepalive fire', 'keepalive set']);
    expect(sk.ka!.probesOut).toBe(1);
  });

  it('test_keepalive_idle_from_last_segment: idleness counts from the last segment received, not from when the timer was set', () => {
    const b = new Bench();
    const sk = keepalive(b);
    b.env.advance(6_000);
    b.receive(b.segment('P.', { data: 'hello', ack: sk.sndUna }));
    const n = b.env.sent.length; // our ACK of the data is in
    b.env.advance(4_000); // the timer comes up 10 s after it was set, 4 s after the data: no probe
    expect(b.env.sent.length).toBe(n);
    b.env.advance(5_999);
    expect(b.env.sent.length).toBe(n);
    b.env.advance(1); // 10 s after the data
    expect(b.env.sent.length).toBe(n + 1);
    expect(b.last.seq32).toBe(seqAdd(sk.sndUna, -1));
  });

  it('test_keepalive_answered: an ACK answering a probe resets the count, and the next probe waits the full idle time', () => {
    const b = new Bench();
    const sk = keepalive(b);
    b.env.advance(10_000);
    b.env.advance(2_000);
    expect(sk.ka!.probesOut).toBe(2);
    const probe = b.last;
    // The peer answers with a duplicate ACK: its next sequence number, ACKing snd_una.
    b.receive(b.segment('.', { ack: seqAdd(probe.seq32, 1) }));
    expect(sk.ka!.probesOut).toBe(0);
    const n = b.env.sent.length;
    b.env.advance(9_999);
    expect(b.env.sent.length).toBe(n);
    b.env.advance(1);
    expect(b.env.sent.length).toBe(n + 1);
    // Answered every time, the connection lives on past KEEPCNT probes.
    for (let i = 0; i < 5; i++) {
      b.receive(b.segment('.', { ack: sk.sndUna }));
      b.env.advance(10_000);
    }
    expect(sk.state).toBe('ESTABLISHED');
  });

  it('test_keepalive_unanswered: after KEEPCNT unanswered probes RST, CLOSED, and the error is ETIMEDOUT', () => {
    const b = new Bench();
    const sk = keepalive(b);
    const n = b.env.sent.length;
    b.env.advance(10_000 + 2_000 + 2_000); // three probes
    expect(b.env.sent.length).toBe(n + 3);
    expect(sk.state).toBe('ESTABLISHED');
    b.env.advance(1_999);
    expect(sk.state).toBe('ESTABLISHED');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
    expect(b.env.sent.length).toBe(n + 4);
    expect(b.last.flags).toBe('R.');
    expect(b.last.seq32).toBe(sk.sndNxt);
    expect(sk.sendError()).toBe('ETIMEDOUT');
    expect(b.env.states.at(-1)).toBe('ESTABLISHED->CLOSED keepalive timeout');
  });

  it('test_keepalive_not_while_data_outstanding: no probe while data is unacknowledged; the timer waits another idle time', () => {
    const b = new Bench({ 'net.ipv4.tcp_retries2': 100 });
    const sk = keepalive(b);
    sk.sqAppend('payload');
    sk.output();
    const n = b.env.sent.length;
    b.env.advance(10_000);
    expect(b.env.sent.length).toBeGreaterThan(n); // retransmissions
    expect(b.env.sent.slice(n).every((s) => s.data === 'payload')).toBe(true);
    expect(sk.ka!.probesOut).toBe(0);
    expect(sk.ka!.slot!.kind).toBe('keepalive');
    expect(sk.ka!.slot!.at).toBe(20_000);
  });

  it('test_keepalive_off_again: SO_KEEPALIVE off stops the timer (traced as cancel)', () => {
    const b = new Bench();
    const sk = keepalive(b);
    sk.setKeepalive(false);
    expect(b.env.timerLog.at(-1)).toBe('keepalive cancel');
    const n = b.env.sent.length;
    b.env.advance(100_000);
    expect(b.env.sent.length).toBe(n);
  });

  it('test_keepidle_moves_running_timer: TCP_KEEPIDLE on a running timer counts the new idle time from the last segment received', () => {
    const b = new Bench();
    const sk = keepalive(b); // idle 10 s, set at t = 0
    b.env.advance(3_000);
    sk.setKeepidle(5);
    expect(sk.ka!.slot!.at).toBe(5_000);
    sk.setKeepidle(2); // already idle longer: at once
    expect(sk.ka!.slot!.at).toBe(3_000);
  });

  it('test_keepalive_ss: ss -o shows timer:(keepalive,…) with the probes sent', () => {
    const b = new Bench();
    keepalive(b);
    b.env.advance(10_000);
    const row = ssRows(b.stack, b.env.t).find((r) => r.state === 'ESTAB')!;
    expect(row.timer).toBe('keepalive,2sec,1');
  });

  it('test_keepalive_inherited: an accepted socket inherits SO_KEEPALIVE and the keepalive times from its listener; its timer starts at ESTABLISHED', () => {
    const b = new Bench();
    const l = b.listener();
    l.setKeepalive(true);
    l.setKeepidle(20);
    expect(l.ka!.slot).toBeNull(); // no timer on a listener
    const child = b.synReceived(l);
    expect(child.ka!.on).toBe(true);
    expect(child.ka!.slot).toBeNull();
    b.receive(b.segment('.'));
    expect(child.state).toBe('ESTABLISHED');
    expect(child.ka!.slot!.at).toBe(b.env.t + 20_000);
  });
});

describe('keepalive in CLOSE_WAIT and FIN_WAIT_2', () => {
  it('test_close_wait_keepalive: keepalive runs in CLOSE_WAIT and ends a dead peer\'s connection, while the descriptor stays open', () => {
    const b = new Bench();
    const sk = keepalive(b, 'closeWait');
    expect(sk.state).toBe('CLOSE_WAIT');
    b.env.advance(200); // the FIN's delayed ACK (tcp_fin schedules it in CLOSE_WAIT)
    const n = b.env.sent.length;
    b.env.advance(9_800);
    expect(b.env.sent.length).toBe(n + 1);
    expect(b.last.seq32).toBe(seqAdd(sk.sndUna, -1));
    b.env.advance(2_000 * 3);
    expect(sk.state).toBe('CLOSED');
    expect(b.last.flags).toBe('R.');
    expect(b.env.states.at(-1)).toBe('CLOSE_WAIT->CLOSED keepalive timeout');
    // Nobody called close(): the application still holds the fd.
    expect(sk.fdClosed).toBe(false);
    expect(sk.sendError()).toBe('ETIMEDOUT');
  });

  it('test_close_wait_no_keepalive: without SO_KEEPALIVE CLOSE_WAIT stays for ever', () => {
    const b = new Bench();
    const sk = b.closeWait();
    b.env.advance(24 * 3600_000);
    expect(sk.state).toBe('CLOSE_WAIT');
  });

  it('test_fin_wait_2_keepalive: a full socket in FIN_WAIT_2 (fd open after shutdown) probes and resets a dead peer', () => {
    const b = new Bench();
    const sk = keepalive(b, 'finWait2');
    expect(sk.state).toBe('FIN_WAIT_2');
    b.env.advance(10_000);
    expect(b.last.seq32).toBe(seqAdd(sk.sndUna, -1));
    b.env.advance(2_000 * 3);
    expect(sk.state).toBe('CLOSED');
    expect(b.last.flags).toBe('R.');
  });

  it('test_fin_wait_2_orphan_keepalive: an orphan in FIN_WAIT_2 is a minisock: its keepalive timer is gone, tcp_fin_timeout rules', () => {
    const b = new Bench();
    const sk = keepalive(b, 'finWait1');
    b.stack.close(sk);
    b.receive(b.segment('.'));
    expect(b.minisock()?.substate).toBe('FIN_WAIT_2');
    expect(sk.ka!.slot!.kind).toBeNull();
    const n = b.env.sent.length;
    b.env.advance(59_000);
    expect(b.env.sent.length).toBe(n);
  });
});

describe('TCP_USER_TIMEOUT', () => {
  it('test_user_timeout_retransmit: unacknowledged data fails the connection after the user timeout, not tcp_retries2; no RST', () => {
    const b = new Bench();
    const sk = b.established();
    sk.deadPeer().userTimeout = 5_000;
    sk.sqAppend('payload');
    sk.output();
    const n = b.env.sent.length;
    // The handshake's RTT sample gives an RTO of 200 ms: retransmissions at 0.2, 0.6, 1.4 and
    // 3 s; the next would be at 6.2 s, and is cut to the user timeout, counted from the first
    // retransmission (Linux retrans_stamp): 5.2 s.
    b.env.advance(3_000);
    expect(b.env.sent.length).toBe(n + 4);
    expect(sk.rtx.at).toBe(5_200);
    b.env.advance(2_199);
    expect(sk.state).toBe('ESTABLISHED');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
    expect(b.env.sent.length).toBe(n + 4);
    expect(sk.sendError()).toBe('ETIMEDOUT');
    expect(b.env.states.at(-1)).toBe('ESTABLISHED->CLOSED TCP_USER_TIMEOUT');
  });

  it('test_user_timeout_replaces_retries2: a long user timeout outlasts tcp_retries2', () => {
    const b = new Bench({ 'net.ipv4.tcp_retries2': 2 });
    const sk = b.established();
    sk.deadPeer().userTimeout = 60_000;
    sk.sqAppend('payload');
    sk.output();
    b.env.advance(30_000); // retries2 alone would have given up after 0.2 + 0.4 + 0.8 s
    expect(sk.state).toBe('ESTABLISHED');
    expect(sk.retries).toBeGreaterThan(2);
    b.env.advance(30_199); // 60 s after the first retransmission (at 0.2 s)
    expect(sk.state).toBe('ESTABLISHED');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
  });

  it('test_user_timeout_keepalive: with TCP_USER_TIMEOUT keepalive gives up once the peer was silent that long, whatever KEEPCNT says', () => {
    const b = new Bench();
    const sk = keepalive(b); // KEEPCNT 3 would reset at 16 s
    sk.deadPeer().userTimeout = 13_000;
    b.env.advance(10_000); // probe 1
    b.env.advance(2_000); // probe 2 (12 s of silence)
    expect(sk.state).toBe('ESTABLISHED');
    b.env.advance(2_000); // 14 s >= 13 s with probes out: RST
    expect(sk.state).toBe('CLOSED');
    expect(b.last.flags).toBe('R.');
    expect(sk.sendError()).toBe('ETIMEDOUT');
  });

  it('test_user_timeout_keepalive_long: a user timeout longer than KEEPCNT probes keeps probing past KEEPCNT', () => {
    const b = new Bench();
    const sk = keepalive(b);
    sk.deadPeer().userTimeout = 30_000;
    b.env.advance(10_000 + 2_000 * 8);
    expect(sk.state).toBe('ESTABLISHED');
    expect(sk.ka!.probesOut).toBe(9);
    b.env.advance(4_000);
    expect(sk.state).toBe('CLOSED');
  });
});

describe('keepalive in a world', () => {
  it('a server in CLOSE_WAIT whose peer went silent: keepalive probes, resets, and send() then fails with ETIMEDOUT; the fd stays open until close()', async () => {
    const seen: string[] = [];
    const r = await run((sim) => {
      const client = sim.host('client');
      const server = sim.host('server');
      sim.link(client, server);
      sim.partition(client, server, { fromMs: 1_000, untilMs: 1_000_000 });
      server.run(async (os) => {
        const ls = os.socket();
        ls.setsockopt('SO_KEEPALIVE', true);
        ls.setsockopt('TCP_KEEPIDLE', 5);
        ls.setsockopt('TCP_KEEPINTVL', 1);
        ls.setsockopt('TCP_KEEPCNT', 3);
        ls.bind({ port: 80 });
        ls.listen();
        const c = await ls.accept();
        seen.push(`accepted keepalive=${c.getsockopt('SO_KEEPALIVE')} idle=${c.getsockopt('TCP_KEEPIDLE')}`);
        seen.push(`recv ${JSON.stringify(await c.recv())}`);
        await os.sleep(3_000);
        seen.push(`${c.state} ${os.ss({ timers: true }).inState('CLOSE-WAIT')[0]?.timer}`);
        await os.sleep(10_000);
        seen.push(`${c.state} ${os.ss().inState('CLOSE-WAIT').length} in CLOSE-WAIT`);
        await c.send('late').catch((e) => seen.push(`send ${e.code}`));
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    expect(seen).toEqual(['accepted keepalive=true idle=5', 'recv ""', expect.stringMatching(/^CLOSE_WAIT keepalive,\d+sec,0$/), 'CLOSED 0 in CLOSE-WAIT', 'send ETIMEDOUT']);
    // The server sent no data: snd_una - 1 is its SYN,ACK's sequence number, and a probe is a bare ACK with it.
    const sent = r.sent('server');
    const iss = sent.find((e) => e.seg.flags === 'S.')!.seg.seq;
    const probes = sent.filter((e) => e.seg.flags === '.' && e.seg.len === 0 && e.seg.seq === iss);
    expect(probes).toHaveLength(3);
    expect(r.sent('server').at(-1)!.seg.flags).toBe('R.');
    expect(r.trace.some((e) => e.kind === 'timer' && e.timer === 'keepalive' && e.action === 'fire')).toBe(true);
  });

  it('setsockopt checks the keepalive options as Linux does (EINVAL); getsockopt reports the sysctl defaults', async () => {
    const out: string[] = [];
    await run((sim) => {
      sim.host('a').run(async (os) => {
        const s = os.socket();
        out.push(`${s.getsockopt('SO_KEEPALIVE')} ${s.getsockopt('TCP_KEEPIDLE')} ${s.getsockopt('TCP_KEEPINTVL')} ${s.getsockopt('TCP_KEEPCNT')} ${s.getsockopt('TCP_USER_TIMEOUT')}`);
        for (const f of [
          () => s.setsockopt('SO_KEEPALIVE', 'yes' as any),
          () => s.setsockopt('TCP_KEEPIDLE', 0),
          () => s.setsockopt('TCP_KEEPIDLE', 32_768),
          () => s.setsockopt('TCP_KEEPINTVL', 1.5),
          () => s.setsockopt('TCP_KEEPCNT', 128),
          () => s.setsockopt('TCP_USER_TIMEOUT', -1),
        ]) {
          try {
            f();
            out.push('accepted');
          } catch (e: any) {
            out.push(e.code);
          }
        }
        s.setsockopt('TCP_KEEPCNT', 127);
        s.setsockopt('TCP_USER_TIMEOUT', 2_500);
        out.push(`${s.getsockopt('TCP_KEEPCNT')} ${s.getsockopt('TCP_USER_TIMEOUT')}`);
      });
    });
    expect(out).toEqual(['false 7200 75 9 0', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', '127 2500']);
  });
});

describe('what the kernel counts when a dead peer is given up', () => {
  it('a keepalive give-up counts TcpExtTCPAbortOnTimeout and one TcpOutRsts, and the console rebuilds the same counters from the trace', async () => {
    const { createWorld } = await import('../../../src/sim/index.ts');
    const { countersFromTrace } = await import('../../../src/console/nstat.ts');
    const w = createWorld({ seed: 3 });
    const a = w.host('a');
    const b = w.host('b');
    w.link(a, b, { delayMs: 5 });
    w.partition(a, b, { fromMs: 1000, untilMs: 1e9 });
    b.run(async (os) => {
      const l = os.socket();
      l.bind({ port: 80 });
      l.listen();
      await l.accept();
      await os.sleep(1e6);
    });
    let table: Record<string, number> = {};
    a.run(async (os) => {
      const s = os.socket();
      s.setsockopt('SO_KEEPALIVE', true);
      s.setsockopt('TCP_KEEPIDLE', 2);
      s.setsockopt('TCP_KEEPINTVL', 1);
      s.setsockopt('TCP_KEEPCNT', 2);
      await s.connect({ host: 'b', port: 80 });
      await os.sleep(10_000);
      table = { ...os.nstat() } as unknown as Record<string, number>;
    });
    w.until(20_000);
    await w.run();
    expect(table.TcpExtTCPAbortOnTimeout).toBe(1);
    expect(table.TcpOutRsts).toBe(1);
    const rebuilt = countersFromTrace(w.trace, Infinity);
    expect(rebuilt.get('a')!.TcpExtTCPAbortOnTimeout).toBe(1);
    expect(rebuilt.get('a')!.TcpOutRsts).toBe(1);
  });
});
