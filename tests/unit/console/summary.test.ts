import { describe, expect, it } from 'vitest';
import { formatSummary, stripAnsi, type SummaryLike } from '../../../src/console/index.ts';

const base: SummaryLike = {
  endedBy: 'quiescence',
  message: 'The run ended at 60.07 s (virtual time): nothing was left to do.',
  virtualMs: 60070,
  events: 120,
  traced: 64,
  blocked: [],
  failed: [],
  hosts: [
    { name: 'client', ip: '10.0.0.1', ss: [{ state: 'TIME-WAIT', recvQ: 0, sendQ: 0, local: '10.0.0.1:49152', peer: '10.0.0.2:80', timer: 'timewait,59sec,0' }] },
    { name: 'server', ip: '10.0.0.2', ss: [] },
  ],
  pendingTimers: 0,
};

describe('run summary', () => {
  it('prints each host table, then why the run ended', () => {
    const text = formatSummary(base);
    expect(text).toBe(
      [
        'client (10.0.0.1) $ ss -tano',
        'State     Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess                  ',
        'TIME-WAIT 0      0           10.0.0.1:49152     10.0.0.2:80   timer:(timewait,59sec,0)',
        '',
        'server (10.0.0.2) $ ss -tano',
        'State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
        '',
        'The run ended at 60.07 s (virtual time): nothing was left to do.',
        '120 engine events, 64 trace events.',
      ].join('\n'),
    );
  });

  it('lists blocked processes as normal and failures with their place', () => {
    const text = formatSummary(
      {
        ...base,
        endedBy: 'time-limit',
        message: 'The run reached its virtual-time limit (600 s) while a timer kept firing.',
        blocked: [{ host: 'server', pid: 1, process: 'server', waitingIn: 'accept' }],
        failed: [
          { kind: 'process', t: 5, n: 9, host: 'client', pid: 2, process: 'client', action: 'fail', error: { name: 'TypeError', message: 'x is not a function', line: 7, column: 3 } },
        ],
        pendingTimers: 1,
      },
      { tables: false, fileName: 'prog.ts', color: true },
    );
    expect(stripAnsi(text)).toBe(
      [
        'The run reached its virtual-time limit (600 s) while a timer kept firing.',
        'Still waiting when the run ended (not an error, e.g. a server waiting for more clients):',
        '  server[1] in accept',
        'Failed processes:',
        '  client[2]: TypeError: x is not a function (prog.ts:7:3)',
        '1 timer still armed.',
        '120 engine events, 64 trace events.',
      ].join('\n'),
    );
    expect(text).toContain('\x1b[33mThe run reached');
  });
});
