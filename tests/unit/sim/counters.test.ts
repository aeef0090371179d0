// Each nstat counter moves where Linux moves it (src/sim/tcp/counters.ts names
// the kernel functions), and only there: every test reads both hosts' tables.
import { describe, expect, it } from 'vitest';
import type { NstatName, NstatTable, OS, Simulation, Socket } from '../../../src/sim/index.ts';
import { run } from './harness.ts';

function pair(sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });
  return { client, server };
}

async function listen(os: OS, port = 80): Promise<Socket> {
  const ls = os.socket();
  ls.bind({ port });
  ls.listen();
  return ls;
}

/** The counters that are not 0. */
function moved(t: NstatTable): Partial<Record<NstatName, number>> {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== 0));
}

/** Runs the program and returns both hosts' moved counters at the end of the run. */
async function counters(program: (sim: Simulation, h: ReturnType<typeof pair>) => void, opts = {}) {
  let hosts: ReturnType<typeof pair> | undefined;
  await run((sim) => {
    hosts = pair(sim);
    program(sim, hosts);
  }, opts);
  return { client: moved(hosts!.client.nstat()), server: moved(hosts!.server.nstat()) };
}

describe('nstat counters', () => {
  it('a clean active close: ActiveOpens on the client, PassiveOpens on the server, one TW on the side that closed first', async () => {
    const c = await counters((sim, h) => {
      h.server.run(async (os) => {
        const s = await (await listen(os)).accept();
        expect(await s.recv()).toBe('');
        await s.close();
      });
      h.client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    expect(c).toEqual({ client: { TcpActiveOpens: 1, TcpExtTW: 1 }, server: { TcpPassiveOpens: 1 } });
  });

  it('TcpExtTW counts when TIME_WAIT starts, not when it ends', async () => {
    let during: NstatTable | undefined;
    await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const s = await (await listen(os)).accept();
        await s.recv();
        await s.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
        await os.sleep(1000);
        expect(os.ss().inState('TIME-WAIT')).toHaveLength(1);
        during = os.nstat();
      });
    });
    expect(during!.TcpExtTW).toBe(1);
  });

  it('an orphan FIN_WAIT_2 with a tcp_fin_timeout of 4 s or less counts as TWKilled, not TW; the late data it never sees is reset by the host', async () => {
    const c = await counters((sim, h) => {
      h.client.sysctl('net.ipv4.tcp_fin_timeout', 3);
      h.server.run(async (os) => {
        const s = await (await listen(os)).accept();
        expect(await s.recv()).toBe('');
        await os.sleep(5000);
        await s.send('late');
        await os.sleep(200);
      });
      h.client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    expect(c.client).toEqual({ TcpActiveOpens: 1, TcpExtTWKilled: 1, TcpOutRsts: 1 });
    expect(c.server).toEqual({ TcpPassiveOpens: 1, TcpEstabResets: 1 });
  });

  it('close() with unread data: AbortOnClose, an RST sent, and EstabResets on both sides', async () => {
    const c = await counters((sim, h) => {
      h.server.run(async (os) => {
        const s = await (await listen(os)).accept();
        await s.send('unread');
        await os.sleep(500);
      });
      h.client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await os.sleep(100);
        await s.close();
      });
    });
    expect(c.client).toEqual({ TcpActiveOpens: 1, TcpExtTCPAbortOnClose: 1, TcpOutRsts: 1, TcpEstabResets: 1 });
    expect(c.server).toEqual({ TcpPassiveOpens: 1, TcpEstabResets: 1 });
  });

  it('close() with SO_LINGER 0 counts as AbortOnData, as Linux counts it', async () => {
    const c = await counters((sim, h) => {
      h.server.run(async (os) => {
        const s = await (await listen(os)).accept();
        await s.recv().catch(() => '');
      });
      h.client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
        await s.close();
      });
    });
    expect(c.client).toEqual({ TcpActiveOpens: 1, TcpExtTCPAbortOnData: 1, TcpOutRsts: 1, TcpEstabResets: 1 });
    expect(c.server).toEqual({ TcpPassiveOpens: 1, TcpEstabResets: 1 });
  });

  it('new data after shutdown(SHUT_RD) in FIN_WAIT_2 counts as AbortOnData and sends an RST; no TIME_WAIT', async () => {
    const c = await counters((sim, h) => {
      h.server.run(async (os) => {
        const s = await (await listen(os)).accept();
        await os.sleep(200);
        await s.send('more').catch(() => 0);
        await os.sleep(200);
      });
      h.client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        s.shutdown('SHUT_RD');
        s.shutdown('SHUT_WR');
        await os.sleep(1000);
      });
    });
    expect(c.client).toEqual({ TcpActiveOpens: 1, TcpExtTCPAbortOnData: 1, TcpOutRsts: 1 });
  });

  it('new data after close() reaching the FIN_WAIT_2 minisock of an orphan is reset without AbortOnData (tcp_timewait_state_process)', async () => {
    const c = await counters((sim, h) => {
      h.server.run(async (os) => {
        const s = await (await listen(os)).accept();
        await os.sleep(200);
        await s.send('more').catch(() => 0);
        await os.sleep(200);
      });
      h.client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    expect(c.client).toEqual({ TcpActiveOpens: 1, TcpExtTW: 1, TcpOutRsts: 1 });
  });

  it('retransmissions count one each, and giving up counts AbortOnTimeout and EstabResets, no RST', async () => {
    let retrans = 0;
    const c = await counters((sim, h) => {
      h.client.sysctl('net.ipv4.tcp_retries2', 3);
      h.server.run(async (os) => {
        const s = await (await listen(os)).accept();
        await s.recv().catch(() => '');
      });
      h.client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        sim.fault({ action: 'drop', from: h.client });
        await s.send('hello');
        await s.recv().catch(() => '');
      });
      sim.on('segment', (e) => {
        if (e.action === 'send' && e.host === 'client' && e.seg.retransmission) retrans++;
      });
    });
    expect(retrans).toBe(3);
    expect(c.client).toEqual({ TcpActiveOpens: 1, TcpRetransSegs: 3, TcpExtTCPAbortOnTimeout: 1, TcpEstabResets: 1 });
  });

  it('a SYN nobody listens for: the RST the host sends is counted, the refused connect() is not a reset', async () => {
    const c = await counters((sim, h) => {
      h.client.run(async (os) => {
        const s = os.socket();
        await expect(s.connect({ host: 'server', port: 81 })).rejects.toThrow(/ECONNREFUSED/);
      });
    });
    expect(c).toEqual({ client: { TcpActiveOpens: 1 }, server: { TcpOutRsts: 1 } });
  });

  it('tcp_max_tw_buckets reached: TimeWaitOverflow instead of TW', async () => {
    const c = await counters((sim, h) => {
      h.client.sysctl('net.ipv4.tcp_max_tw_buckets', 0);
      h.server.run(async (os) => {
        const s = await (await listen(os)).accept();
        await s.recv();
        await s.close();
      });
      h.client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        s.shutdown('SHUT_WR'); // not an orphan: its FIN_WAIT_2 stays a full socket, and the peer's FIN meets the full bucket table
        expect(await s.recv()).toBe('');
        await s.close();
      });
    });
    expect(c.client).toEqual({ TcpActiveOpens: 1, TcpExtTCPTimeWaitOverflow: 1 });
  });

  it('a SYN-ACK retransmitted for a lost final ACK counts on the server; PassiveOpens waits for the handshake to complete', async () => {
    let early: NstatTable | undefined;
    const c = await counters((sim, h) => {
      sim.fault({ action: 'drop', from: h.client, flags: '=A', nth: 1 });
      h.server.run(async (os) => {
        const ls = await listen(os);
        await os.sleep(5);
        early = os.nstat();
        const s = await ls.accept();
        await s.close();
      });
      h.client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await os.sleep(3000);
      });
    });
    expect(early!.TcpPassiveOpens).toBe(0);
    expect(c.server.TcpPassiveOpens).toBe(1);
    expect(c.server.TcpRetransSegs).toBeGreaterThanOrEqual(1);
  });

  it('prints like nstat -az, and the table is frozen', async () => {
    let t: NstatTable | undefined;
    await run((sim) => {
      const { client } = pair(sim);
      client.run(async (os) => {
        t = os.nstat();
      });
    });
    const lines = String(t).split('\n');
    expect(lines[0]).toBe('#kernel');
    expect(lines[1]).toBe('TcpActiveOpens                  0                  0.0');
    expect(lines).toHaveLength(16);
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.keys(t!)).toHaveLength(15);
  });

  it('a crash starts the counters again, as a reboot does', async () => {
    let after: NstatTable | undefined;
    await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        await (await listen(os)).accept();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        client.crash();
        after = client.nstat();
      });
    });
    expect(Object.values(after!).every((v) => v === 0)).toBe(true);
  });
});

describe('nstat printing', () => {
  it('without zeros, only the counters that moved are printed, in nstat order', async () => {
    const { formatNstat, makeNstatTable } = await import('../../../src/console/index.ts');
    const t = makeNstatTable([2, 0, 0, 0, 1]);
    expect(formatNstat(t, false)).toBe(['#kernel', 'TcpActiveOpens                  2                  0.0', 'TcpOutRsts                      1                  0.0'].join('\n'));
  });
});

describe('console.log(os.nstat()) in a program', () => {
  it('prints the nstat -az text, as console.log(os.ss()) prints the ss table', async () => {
    const { formatLogArgs } = await import('../../../src/runner/format-value.ts');
    const { makeNstatTable } = await import('../../../src/console/index.ts');
    const t = makeNstatTable([1]);
    expect(formatLogArgs([t])).toBe(String(t));
    expect(formatLogArgs([t]).split('\n')[1]).toBe('TcpActiveOpens                  1                  0.0');
  });
});
