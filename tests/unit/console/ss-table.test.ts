import { describe, expect, it } from 'vitest';
import type { SsRow } from '../../../types/closing-time.d.ts';
import { formatSsTable } from '../../../src/console/index.ts';

// Captured from iproute2 6.1's `ss -tan` / `ss -tano` (output not a terminal) in a
// network namespace with these sockets; trailing spaces are ss's own.
const REAL_SS_TAN = [
  'State      Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
  'LISTEN     0      5            0.0.0.0:80         0.0.0.0:*           ',
  'ESTAB      1000   0          127.0.0.1:80       127.0.0.1:56276       ',
  'CLOSE-WAIT 1      0          127.0.0.1:80       127.0.0.1:56268       ',
  'TIME-WAIT  0      0          127.0.0.1:56252    127.0.0.1:80          ',
  'FIN-WAIT-2 0      0          127.0.0.1:56268    127.0.0.1:80          ',
  'ESTAB      0      0          127.0.0.1:56276    127.0.0.1:80          ',
].join('\n');

const REAL_SS_TANO = [
  'State      Recv-Q Send-Q Local Address:Port  Peer Address:Port Process                  ',
  'LISTEN     0      5            0.0.0.0:80         0.0.0.0:*                             ',
  'ESTAB      1000   0          127.0.0.1:80       127.0.0.1:56276                         ',
  'CLOSE-WAIT 1      0          127.0.0.1:80       127.0.0.1:56268                         ',
  'TIME-WAIT  0      0          127.0.0.1:56252    127.0.0.1:80    timer:(timewait,59sec,0)',
  'FIN-WAIT-2 0      0          127.0.0.1:56268    127.0.0.1:80    timer:(timewait,59sec,0)',
  'ESTAB      0      0          127.0.0.1:56276    127.0.0.1:80                            ',
].join('\n');

const rows: SsRow[] = [
  { state: 'LISTEN', recvQ: 0, sendQ: 5, local: '0.0.0.0:80', peer: '0.0.0.0:*' },
  { state: 'ESTAB', recvQ: 1000, sendQ: 0, local: '127.0.0.1:80', peer: '127.0.0.1:56276' },
  { state: 'CLOSE-WAIT', recvQ: 1, sendQ: 0, local: '127.0.0.1:80', peer: '127.0.0.1:56268' },
  { state: 'TIME-WAIT', recvQ: 0, sendQ: 0, local: '127.0.0.1:56252', peer: '127.0.0.1:80', timer: 'timewait,59sec,0' },
  { state: 'FIN-WAIT-2', recvQ: 0, sendQ: 0, local: '127.0.0.1:56268', peer: '127.0.0.1:80', timer: 'timewait,59sec,0' },
  { state: 'ESTAB', recvQ: 0, sendQ: 0, local: '127.0.0.1:56276', peer: '127.0.0.1:80' },
];

describe('ss -tan table', () => {
  it('lays out columns exactly as iproute2 ss does', () => {
    expect(formatSsTable(rows)).toBe(REAL_SS_TAN);
  });

  it('adds the timer column like ss -o', () => {
    expect(formatSsTable(rows, { timers: true })).toBe(REAL_SS_TANO);
  });

  it('narrows columns to their content, header included (ss in the root namespace)', () => {
    const table = formatSsTable([{ state: 'LISTEN', recvQ: 0, sendQ: 128, local: '0.0.0.0:2024', peer: '0.0.0.0:*' }]);
    expect(table).toBe(
      ['State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess', 'LISTEN 0      128          0.0.0.0:2024      0.0.0.0:*          '].join('\n'),
    );
  });

  it('prints only the header for no sockets, and shows owners with processes', () => {
    expect(formatSsTable([])).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess');
    const owned = formatSsTable([{ ...rows[0], process: 'server' }], { processes: true });
    expect(owned.split('\n')[1]).toMatch(/0\.0\.0\.0:\*\s+users:\(\("server"\)\)$/);
  });

  it('says what it expects when given something else', () => {
    expect(() => formatSsTable('LISTEN' as never)).toThrow(/array of ss rows/);
  });
});
