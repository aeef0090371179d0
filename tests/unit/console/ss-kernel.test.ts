// The console's `ss -s` and single-state tables laid out as the real ss prints
// them: a namespace on this machine's kernel gets a listener, three connections
// its clients close first (TIME_WAIT) and two the server never closes
// (CLOSE_WAIT, the clients' FIN_WAIT_2 minisocks). The console's formatter, fed
// the kernel's own /proc/net/sockstat and CurrEstab, must print what ss prints.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kernelUnavailableReason } from '../../../src/kernel/network.ts';
import { formatSsSummary } from '../../../src/console/ss-summary.ts';
import { formatSsTable } from '../../../src/console/ss-table.ts';
import type { SsRow } from '../../../types/closing-time.d.ts';

const unavailable = kernelUnavailableReason();

const SCRIPT = String.raw`
import json, socket, subprocess, time
ls = socket.socket(); ls.bind(('127.0.0.1', 8080)); ls.listen(16)
keep = []
for i in range(3):
    c = socket.create_connection(('127.0.0.1', 8080)); a, _ = ls.accept()
    c.close(); time.sleep(0.05); a.close()
for i in range(2):
    c = socket.create_connection(('127.0.0.1', 8080)); a, _ = ls.accept()
    keep.append(a); c.close()
time.sleep(0.2)
run = lambda *a: subprocess.run(list(a), capture_output=True, text=True).stdout
print(json.dumps({'sockstat': open('/proc/net/sockstat').read(), 'snmp': open('/proc/net/snmp').read(),
  'summary': run('ss', '-s'), 'tw': run('ss', '-tan', 'state', 'time-wait'), 'all': run('ss', '-tan')}))
`;

function inNamespace(): { sockstat: string; snmp: string; summary: string; tw: string; all: string } {
  const ns = `ct-ss-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    return JSON.parse(execFileSync('ip', ['netns', 'exec', ns, 'python3', '-c', SCRIPT], { encoding: 'utf8' }));
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

const trimEnds = (text: string) => text.replace(/[ \t]+$/gm, '').replace(/\n+$/, '');

describe.skipIf(unavailable !== null)('ss as Linux prints it', () => {
  it('ss -s: the console formats the kernel\'s counters exactly as ss does, CLOSE_WAIT counted as estab and FIN_WAIT_2 minisocks as timewait', () => {
    const k = inNamespace();
    const tcp = /^TCP: inuse (\d+) orphan (\d+) tw (\d+) alloc (\d+)/m.exec(k.sockstat)!.slice(1).map(Number);
    const used = Number(/^sockets: used (\d+)/m.exec(k.sockstat)![1]);
    const snmp = k.snmp.split('\n').filter((l) => l.startsWith('Tcp:'));
    const estab = Number(snmp[1]!.split(' ')[snmp[0]!.split(' ').indexOf('CurrEstab')]);
    const [inuse, orphan, tw, alloc] = tcp as [number, number, number, number];
    expect(tw).toBe(5); // 3 TIME_WAIT + 2 orphaned FIN_WAIT_2
    expect(estab).toBe(2); // the two CLOSE_WAIT, nothing established
    expect(trimEnds(formatSsSummary({ sockets: used, inuse, orphan, tw, alloc, estab }))).toBe(trimEnds(k.summary));
  });

  it('state time-wait: ss leaves out the State column, and the console lays out the rest as ss does', () => {
    const k = inNamespace();
    const lines = k.tw.replace(/\n$/, '').split('\n');
    expect(lines[0]).toMatch(/^Recv-Q Send-Q Local Address:Port +Peer Address:Port ?Process/);
    const rows: SsRow[] = lines.slice(1).map((l) => {
      const [recvQ, sendQ, local, peer] = l.trim().split(/\s+/);
      return { state: 'TIME-WAIT', recvQ: Number(recvQ), sendQ: Number(sendQ), local: local!, peer: peer! };
    });
    expect(rows).toHaveLength(3);
    expect(trimEnds(formatSsTable(rows, { state: false }))).toBe(trimEnds(k.tw));
    // And plain ss -tan lists the same TIME-WAITs with the State column.
    expect(k.all.split('\n')[0]).toMatch(/^State +Recv-Q/);
  });
});
