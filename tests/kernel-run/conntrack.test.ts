// What the simulator has no model of, shown on the kernel: a middlebox's
// connection tracking keeps its own TIME_WAIT. Three network namespaces, the
// client, a router that masquerades (SNAT) and filters with `ct state`, and the
// server; the client makes one connection through the router and closes first.
// Then the client holds the socket's TIME_WAIT (TCP_TIMEWAIT_LEN, 60 s), the
// router, which has no socket at all, holds a conntrack entry in TIME_WAIT for
// nf_conntrack_tcp_timeout_time_wait (120 s, tcp_timeouts[] in
// net/netfilter/nf_conntrack_proto_tcp.c), and the server holds neither.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addNamespace, deleteNamespace, nsName, sh } from '../../src/kernel/network.ts';
import { inCI, unavailable } from './environment.ts';

const hasNft = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].some((p) => existsSync(p));
const hasConntrackTool = ['/usr/sbin/conntrack', '/sbin/conntrack', '/usr/bin/conntrack'].some((p) => existsSync(p));
const skip = unavailable ?? (hasNft ? null : "the conntrack check needs 'nft' (apt-get install nftables)");

if (skip && inCI) {
  test('the conntrack check can run in CI', () => {
    expect.fail(`CI=true but the conntrack check cannot run: ${skip}`);
  });
}
if (skip && !inCI) console.warn(`conntrack check: skipped (${skip})`);

const CLIENT = nsName(process.pid, 'ct-client');
const ROUTER = nsName(process.pid, 'ct-router');
const SERVER = nsName(process.pid, 'ct-server');
const CLIENT_IP = '10.71.1.1';
const ROUTER_INSIDE = '10.71.1.254';
const ROUTER_OUTSIDE = '10.71.2.254';
const SERVER_IP = '10.71.2.2';
const PORT = 8080;

const inNs = (ns: string, cmd: string, args: readonly string[], input?: string) => sh('ip', ['netns', 'exec', ns, cmd, ...args], input);

const RULESET = `
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "out0" masquerade
  }
}
table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    ct state new tcp dport ${PORT} accept
  }
}
`;

// The server answers one request, reads to EOF, and closes second.
const SERVER_PY = `
import socket, sys
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("${SERVER_IP}", ${PORT}))
ls.listen()
print("ready", flush=True)
c, peer = ls.accept()
print("peer %s:%d" % peer, flush=True)
c.recv(100)
c.sendall(b"ok")
while c.recv(100):
    pass
c.close()
`;

// The client closes first, then waits (polling, bounded) until its own close
// has completed: the socket is in TIME_WAIT once the server's FIN has arrived.
const CLIENT_PY = `
import socket, subprocess, time
s = socket.create_connection(("${SERVER_IP}", ${PORT}), timeout=5)
port = s.getsockname()[1]
s.sendall(b"GET /")
s.recv(100)
s.close()
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    out = subprocess.run(["ss", "-tanoH", "state", "time-wait", "sport", "= :%d" % port], capture_output=True, text=True).stdout
    if out.strip():
        break
print("port %d" % port)
print(out.strip())
`;

interface ConntrackEntry {
  state: string;
  timeout: number;
  line: string;
}

/** The TCP entries of /proc/net/nf_conntrack for the server's port. */
function conntrackEntries(ns: string): ConntrackEntry[] {
  return inNs(ns, 'cat', ['/proc/net/nf_conntrack'])
    .split('\n')
    .filter((l) => / tcp /.test(l) && l.includes(`dport=${PORT} `))
    .map((line) => {
      // ipv4 2 tcp 6 119 TIME_WAIT src=... dst=... sport=... dport=... src=... ...
      const m = /\btcp\s+6\s+(\d+)\s+([A-Z_]+)\s/.exec(line)!;
      return { timeout: Number(m[1]), state: m[2]!, line };
    });
}

describe.skipIf(skip !== null)('conntrack on the kernel: a middlebox keeps its own TIME_WAIT', () => {
  let clientOut = '';
  let serverOut = '';

  beforeAll(async () => {
    for (const ns of [CLIENT, ROUTER, SERVER]) addNamespace(ns);
    sh('ip', ['-n', ROUTER, 'link', 'add', 'in0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CLIENT]);
    sh('ip', ['-n', ROUTER, 'link', 'add', 'out0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', SERVER]);
    for (const [ns, dev, ip] of [
      [CLIENT, 'eth0', `${CLIENT_IP}/24`],
      [ROUTER, 'in0', `${ROUTER_INSIDE}/24`],
      [ROUTER, 'out0', `${ROUTER_OUTSIDE}/24`],
      [SERVER, 'eth0', `${SERVER_IP}/24`],
    ] as const) {
      sh('ip', ['-n', ns, 'addr', 'add', ip, 'dev', dev]);
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
    sh('ip', ['-n', CLIENT, 'route', 'add', 'default', 'via', ROUTER_INSIDE]);
    // No route back to the client's network: replies reach it only through the router's SNAT.
    inNs(ROUTER, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    inNs(ROUTER, 'nft', ['-f', '-'], RULESET);

    const server = spawn('ip', ['netns', 'exec', SERVER, 'python3', '-u', '-c', SERVER_PY], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = new Promise<void>((resolve, reject) => {
      server.stdout.on('data', (d: Buffer) => {
        serverOut += d.toString();
        if (serverOut.includes('ready')) resolve();
      });
      server.on('exit', (code) => reject(new Error(`server exited (${code}) before listening`)));
    });
    const done = new Promise<void>((resolve) => server.on('exit', () => resolve()));
    await ready;
    clientOut = inNs(CLIENT, 'python3', ['-c', CLIENT_PY]);
    await done;
  });

  afterAll(() => {
    for (const ns of [CLIENT, ROUTER, SERVER]) deleteNamespace(ns);
  });

  test('the client that closed first holds the socket TIME_WAIT, for 60 s', () => {
    // ss -tano: "TIME-WAIT 0 0 10.71.1.1:PORT 10.71.2.2:8080 timer:(timewait,59sec,0)"
    const m = /timer:\(timewait,(\d+)sec,\d+\)/.exec(clientOut);
    expect(m, clientOut).not.toBeNull();
    const left = Number(m![1]);
    expect(left).toBeGreaterThanOrEqual(50);
    expect(left).toBeLessThanOrEqual(60);
  });

  test('the server saw the router’s address, not the client’s (SNAT), and holds no TIME_WAIT', () => {
    expect(serverOut).toContain(`peer ${ROUTER_OUTSIDE}:`);
    expect(inNs(SERVER, 'ss', ['-tanH', 'state', 'time-wait'])).toBe('');
  });

  test('the router has no socket, yet its conntrack entry is in TIME_WAIT for about 120 s', () => {
    expect(inNs(ROUTER, 'ss', ['-tanH'])).toBe('');
    const entries = conntrackEntries(ROUTER);
    expect(entries, JSON.stringify(entries)).toHaveLength(1);
    const [e] = entries;
    expect(e!.state).toBe('TIME_WAIT');
    expect(e!.timeout).toBeGreaterThanOrEqual(110);
    expect(e!.timeout).toBeLessThanOrEqual(120);
    // The reply direction is addressed to the router's outside address: the SNAT mapping,
    // which this entry keeps reserved until it expires.
    expect(e!.line).toContain(`src=${CLIENT_IP} dst=${SERVER_IP}`);
    expect(e!.line).toContain(`src=${SERVER_IP} dst=${ROUTER_OUTSIDE}`);
    expect(e!.line).toContain('[ASSURED]');
  });

  test.skipIf(!hasConntrackTool)('conntrack -L shows the same entry', () => {
    const out = inNs(ROUTER, 'conntrack', ['-L', '-p', 'tcp', '--dport', String(PORT)]);
    expect(out).toMatch(/tcp\s+6\s+1[01]\d TIME_WAIT src=10\.71\.1\.1 dst=10\.71\.2\.2/);
  });

  test('the router counts the entry and has the kernel’s default TCP timeouts', () => {
    const sysctl = (name: string) => Number(inNs(ROUTER, 'sysctl', ['-n', `net.netfilter.${name}`]).trim());
    expect(sysctl('nf_conntrack_count')).toBeGreaterThanOrEqual(1);
    expect(sysctl('nf_conntrack_max')).toBeGreaterThan(0);
    // tcp_timeouts[] in nf_conntrack_proto_tcp.c, in seconds.
    expect({
      syn_sent: sysctl('nf_conntrack_tcp_timeout_syn_sent'),
      syn_recv: sysctl('nf_conntrack_tcp_timeout_syn_recv'),
      established: sysctl('nf_conntrack_tcp_timeout_established'),
      fin_wait: sysctl('nf_conntrack_tcp_timeout_fin_wait'),
      close_wait: sysctl('nf_conntrack_tcp_timeout_close_wait'),
      last_ack: sysctl('nf_conntrack_tcp_timeout_last_ack'),
      time_wait: sysctl('nf_conntrack_tcp_timeout_time_wait'),
      close: sysctl('nf_conntrack_tcp_timeout_close'),
    }).toEqual({ syn_sent: 120, syn_recv: 60, established: 432000, fin_wait: 120, close_wait: 60, last_ack: 30, time_wait: 120, close: 10 });
  });
});
