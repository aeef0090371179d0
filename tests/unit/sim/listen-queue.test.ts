// The listen queue as Linux 6.x keeps it: listen()'s backlog (__sys_listen,
// inet_listen), the accept queue's limit (sk_acceptq_is_full: a backlog of N
// holds N + 1), SYNs dropped by tcp_conn_request and final ACKs dropped by
// tcp_check_req / tcp_v4_syn_recv_sock, with the counters Linux moves.
import { describe, expect, it } from 'vitest';
import type { NstatName, NstatTable, OS, Simulation, Socket } from '../../../src/sim/index.ts';
import { countersFromTrace } from '../../../src/console/nstat.ts';
import { run } from './harness.ts';

function pair(sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });
  return { client, server };
}

function moved(t: NstatTable): Partial<Record<NstatName, number>> {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== 0));
}

function listener(os: OS, backlog: number): Socket {
  const ls = os.socket();
  ls.bind({ port: 80 });
  ls.listen(backlog);
  return ls;
}

/** `n` clients connect one after the other (each waits for the previous connect()); the server never accepts. */
async function connectMany(backlog: number, n: number, syncookies?: 0) {
  let ssListen: { recvQ: number; sendQ: number } | undefined;
  let states: string[] = [];
  let serverCounters: NstatTable | undefined;
  let server: ReturnType<typeof pair>['server'] | undefined;
  const r = await run((sim) => {
    const h = pair(sim);
    server = h.server;
    if (syncookies === 0) h.server.sysctl('net.ipv4.tcp_syncookies', 0);
    h.server.run(async (os) => {
      listener(os, backlog);
      await os.sleep(500);
      const row = os.ss().inState('LISTEN')[0]!;
      ssListen = { recvQ: row.recvQ, sendQ: row.sendQ };
    });
    h.client.run(async (os) => {
      await os.sleep(1);
      for (let i = 0; i < n; i++) {
        const s = os.socket();
        void s.connect({ host: 'server', port: 80 }).catch(() => {});
        await os.sleep(50);
      }
      await os.sleep(100);
      states = os.ss().map((x) => x.state);
      serverCounters = server!.nstat();
      await os.sleep(60_000);
    });
  }, { untilMs: 200_000 });
  return { r, ssListen: ssListen!, clientStates: states, server: server!, serverCounters: serverCounters! };
}

describe('listen() backlog', () => {
  it('a backlog of N holds N + 1 established connections: the next SYN is dropped (ListenOverflows, ListenDrops)', async () => {
    const { ssListen, clientStates, server, serverCounters } = await connectMany(2, 4);
    expect(ssListen).toEqual({ recvQ: 3, sendQ: 2 });
    expect(clientStates.filter((s) => s === 'ESTAB')).toHaveLength(3);
    expect(clientStates.filter((s) => s === 'SYN-SENT')).toHaveLength(1);
    expect(moved(serverCounters)).toMatchObject({ TcpPassiveOpens: 3, TcpExtListenOverflows: 1, TcpExtListenDrops: 1 });
    // Each retransmission of that SYN is dropped and counted again while nobody accept()s.
    expect(server.nstat().TcpExtListenOverflows).toBeGreaterThan(1);
  });

  it('listen(0) holds one connection', async () => {
    const { ssListen, clientStates } = await connectMany(0, 2);
    expect(ssListen).toEqual({ recvQ: 1, sendQ: 0 });
    expect(clientStates.filter((s) => s === 'ESTAB')).toHaveLength(1);
    expect(clientStates.filter((s) => s === 'SYN-SENT')).toHaveLength(1);
  });

  it('with tcp_syncookies=0, listen(0) holds none: every SYN finds the request queue full (ListenDrops alone)', async () => {
    const { ssListen, clientStates, serverCounters } = await connectMany(0, 1, 0);
    expect(ssListen).toEqual({ recvQ: 0, sendQ: 0 });
    expect(clientStates).toEqual(['SYN-SENT']);
    expect(serverCounters.TcpExtListenDrops).toBe(1);
    expect(serverCounters.TcpExtListenOverflows).toBe(0);
  });

  it('a negative backlog becomes net.core.somaxconn', async () => {
    let sendQ = -1;
    let capped = -1;
    await run((sim) => {
      const { server } = pair(sim);
      server.sysctl('net.core.somaxconn', 7);
      server.run(async (os) => {
        listener(os, -1);
        sendQ = os.ss().inState('LISTEN')[0]!.sendQ;
        const big = os.socket();
        big.bind({ port: 81 });
        big.listen(100);
        capped = os.ss().find((x) => x.local.endsWith(':81'))!.sendQ;
      });
    });
    expect(sendQ).toBe(7);
    expect(capped).toBe(7);
  });
});

/**
 * Backlog 1 and one connection already queued; then two clients' SYNs arrive
 * at once, while the accept queue has room: both become requests, the first
 * ACK fills the accept queue (2 > 1), the second ACK finds it full.
 */
async function overflowAtFinalAck(opts: { abort?: 1; acceptAtMs?: number; data?: boolean }) {
  let third: Socket | undefined;
  let thirdErr: string | undefined;
  let thirdSent: Promise<unknown> | undefined;
  let accepted = 0;
  let got = '';
  let server: ReturnType<typeof pair>['server'] | undefined;
  const r = await run((sim) => {
    const h = pair(sim);
    server = h.server;
    if (opts.abort) h.server.sysctl('net.ipv4.tcp_abort_on_overflow', 1);
    h.server.run(async (os) => {
      const ls = listener(os, 2);
      if (opts.acceptAtMs === undefined) return;
      await os.sleep(opts.acceptAtMs);
      for (let i = 0; i < 4; i++) {
        const s = await ls.accept();
        accepted++;
        if (i === 3 && opts.data) got = await s.recv();
      }
    });
    h.client.run(async (os) => {
      await os.sleep(1);
      for (let i = 0; i < 2; i++) await os.socket().connect({ host: 'server', port: 80 });
      const a = os.socket();
      third = os.socket();
      await Promise.all([
        a.connect({ host: 'server', port: 80 }),
        third.connect({ host: 'server', port: 80 }),
      ]);
      if (opts.data) thirdSent = third.send('hello').catch((e: { code?: string }) => (thirdErr = e.code));
      else await os.sleep(2000);
      await os.sleep(30);
      try {
        await third.recv();
      } catch (e) {
        thirdErr = (e as { code?: string }).code;
      }
    });
  }, { untilMs: 120_000 });
  void thirdSent;
  return { r, server: server!, accepted, got, thirdErr };
}

describe('a full accept queue at the final ACK', () => {
  it('drops the final ACK (and the data after it): the request stays in SYN_RECV and retransmits its SYN-ACK (ListenOverflows, ListenDrops)', async () => {
    const { r, server } = await overflowAtFinalAck({ data: true });
    const t = server.nstat();
    expect(t.TcpPassiveOpens).toBe(3);
    // The ACK, the data, and each answer to a retransmitted SYN-ACK or retransmission of the data.
    expect(t.TcpExtListenOverflows).toBeGreaterThanOrEqual(3);
    expect(t.TcpExtListenDrops).toBe(t.TcpExtListenOverflows);
    const synAcks = r.sent('server').filter((e) => e.seg.syn && e.seg.ackFlag && e.seg.retransmission);
    expect(synAcks.length).toBeGreaterThanOrEqual(1);
    // The client is ESTABLISHED; the server's side of the fourth connection never left SYN_RECEIVED.
    const serverStates = r.states('server');
    expect(serverStates.filter((s) => s === 'server SYN_RECEIVED->ESTABLISHED')).toHaveLength(3);
    expect(r.states('client').filter((s) => s === 'client SYN_SENT->ESTABLISHED')).toHaveLength(4);
  });

  it('accepts the connection once the application accept()s and the answer to a retransmitted SYN-ACK arrives', async () => {
    const { r, server, accepted } = await overflowAtFinalAck({ acceptAtMs: 200 });
    expect(accepted).toBe(4);
    expect(server.nstat().TcpPassiveOpens).toBe(4);
    expect(server.nstat().TcpExtListenOverflows).toBe(1);
    // The fourth connection completed only after the request's first SYN-ACK retransmission (1 s after its SYN).
    const est = r.trace.filter((e) => e.kind === 'state' && e.host === 'server' && e.to === 'ESTABLISHED');
    expect(est).toHaveLength(4);
    const rtx = r.sent('server').find((e) => e.seg.syn && e.seg.retransmission)!;
    expect(rtx.t).toBeGreaterThan(1000);
    expect(est[3]!.t).toBeGreaterThan(rtx.t);
  });

  it('a client that sends at once has its data dropped with the ACK; its retransmission completes the handshake once accept() made room', async () => {
    const { server, accepted, got } = await overflowAtFinalAck({ acceptAtMs: 200, data: true });
    expect(accepted).toBe(4);
    expect(got).toBe('hello');
    expect(server.nstat().TcpExtListenOverflows).toBe(2); // the ACK and the data segment
    expect(server.nstat().TcpExtListenDrops).toBe(2);
  });

  it('tcp_abort_on_overflow=1 answers the final ACK with a RST: the client sees ECONNRESET', async () => {
    const { r, server, thirdErr } = await overflowAtFinalAck({ abort: 1 });
    expect(thirdErr).toBe('ECONNRESET');
    expect(moved(server.nstat())).toMatchObject({ TcpPassiveOpens: 3, TcpExtListenOverflows: 1, TcpExtListenDrops: 1, TcpOutRsts: 1 });
    expect(r.sent('server').filter((e) => e.seg.syn && e.seg.retransmission)).toHaveLength(0);
  });

  it('the console nstat counts the same drops from the trace as os.nstat()', async () => {
    const { r, server } = await overflowAtFinalAck({ data: true });
    expect(server.nstat().TcpExtListenOverflows).toBeGreaterThan(0);
    expect(countersFromTrace(r.trace).get('server')!.TcpExtListenOverflows).toBe(server.nstat().TcpExtListenOverflows);
    expect(countersFromTrace(r.trace).get('server')!.TcpExtListenDrops).toBe(server.nstat().TcpExtListenDrops);
  });
});
