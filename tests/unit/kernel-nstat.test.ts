// The kernel backend's host.nstat() reads its namespace's /proc/net/snmp and
// /proc/net/netstat: pairs of header and value lines, named as nstat names them.
import { describe, expect, it } from 'vitest';
import { parseProcNet } from '../../src/kernel/world.ts';

const SNMP = `Ip: Forwarding DefaultTTL
Ip: 1 64
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 7 3 0 2 0 100 120 4 0 5 0
`;
const NETSTAT = `TcpExt: SyncookiesSent TW TWRecycled TWKilled TCPAbortOnData
TcpExt: 0 9 0 1 2
`;

describe('kernel nstat', () => {
  it('names each /proc/net value with its line prefix, as nstat does', () => {
    const snmp = parseProcNet(SNMP);
    expect(snmp.get('TcpActiveOpens')).toBe(7);
    expect(snmp.get('TcpPassiveOpens')).toBe(3);
    expect(snmp.get('TcpEstabResets')).toBe(2);
    expect(snmp.get('TcpRetransSegs')).toBe(4);
    expect(snmp.get('TcpOutRsts')).toBe(5);
    expect(snmp.get('IpDefaultTTL')).toBe(64);
    const ext = parseProcNet(NETSTAT);
    expect(ext.get('TcpExtTW')).toBe(9);
    expect(ext.get('TcpExtTWKilled')).toBe(1);
    expect(ext.get('TcpExtTCPAbortOnData')).toBe(2);
  });
});
