import { describe, expect, it } from 'vitest';
import { formatSummary, runEndSentence, stripAnsi, type SummaryLike } from '../../../src/console/index.ts';

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

  it('speaks Chinese on the Chinese pages, keeping process tags, calls and errors as printed', () => {
    const text = formatSummary(
      {
        ...base,
        blocked: [{ host: 'server', pid: 1, process: 'server', waitingIn: 'accept' }],
        failed: [
          { kind: 'process', t: 5, n: 9, host: 'client', pid: 2, process: 'client', action: 'fail', error: { name: 'TypeError', message: 'x is not a function', line: 7, column: 3 } },
        ],
      },
      { tables: false, fileName: 'prog.ts', locale: 'zh-cn' },
    );
    expect(text).toBe(
      [
        '运行在虚拟时间 60.07 s 结束：已没有待处理的事件。',
        '运行结束时仍在等待的进程（这不是错误，例如服务器还在等更多客户端）：',
        '  server[1] 阻塞在 accept',
        '失败的进程：',
        '  client[2]: TypeError: x is not a function (prog.ts:7:3)',
        '引擎事件 120 个，轨迹事件 64 个。',
      ].join('\n'),
    );
  });

  it('says in Chinese why a run ended at its limits or was stopped, from the summary’s own fields', () => {
    const zh = (s: Partial<SummaryLike>) => formatSummary({ ...base, ...s }, { tables: false, locale: 'zh-cn' }).split('\n')[0];
    expect(zh({ endedBy: 'time-limit', virtualMs: 600000, pendingTimers: 3 })).toBe('运行到达虚拟时间上限 600 s，仍有 3 个事件待处理（例如某个进程在循环里 sleep，或定时器不断触发）。');
    expect(zh({ endedBy: 'wall-limit', virtualMs: 1500, wallLimitMs: 5000 })).toBe('运行用完了 5000 ms 的真实时间上限，在虚拟时间 1.5 s 被停止。');
    expect(zh({ endedBy: 'stopped', reason: 'stopped by the user' })).toBe('运行已停止：由用户停止。');
    expect(zh({ endedBy: 'error', reason: 'boom' })).toBe('模拟器出错：boom');
  });

  it('prints the world’s own English sentence by default, as the CLI does', () => {
    expect(formatSummary({ ...base, endedBy: 'stopped', message: 'The run was stopped: stopped by the user.', reason: 'stopped by the user' }, { tables: false })).toMatch(/^The run was stopped: stopped by the user\.\n/);
  });

  it('gives the playground status the same end sentence as the console, in the page’s edition', () => {
    expect(runEndSentence(base)).toBe(base.message);
    expect(runEndSentence(base, 'zh-cn')).toBe('运行在虚拟时间 60.07 s 结束：已没有待处理的事件。');
  });
});

describe('the busy-loop stop in the summary', () => {
  const failedWith = (error: { name: string; message: string; line?: number }) =>
    ({ kind: 'process', t: 5, n: 9, host: 'server', pid: 3, process: 'server', action: 'fail', error }) as const;

  it('is said in Chinese on the Chinese pages, from the guard’s own error, and as the guard wrote it in English', async () => {
    const { BusyLoopError } = await import('../../../src/runner/busy-loop-guard.ts');
    for (const [ms, duration] of [[500, '500 ms'], [2500, '2.5 s']] as const) {
      const e = new BusyLoopError('prog.ts', 12, ms);
      const summary = { ...base, failed: [failedWith({ name: e.name, message: e.message, line: e.line })] };
      const zh = formatSummary(summary, { tables: false, fileName: 'prog.ts', locale: 'zh-cn' });
      expect(zh).toContain(`  server[3]: 忙循环：程序运行了 ${duration}，一直没有等待模拟器（prog.ts:12）`);
      expect(zh).not.toMatch(/busy loop|without waiting/);
      const en = formatSummary(summary, { tables: false, fileName: 'prog.ts' });
      expect(en).toContain(`  server[3]: BusyLoop: busy loop: the program ran for ${duration} without waiting on the simulator (prog.ts:12)`);
    }
  });

  it('leaves a learner’s own error that only looks like it as it was thrown', () => {
    const zh = formatSummary({ ...base, failed: [failedWith({ name: 'Error', message: 'busy loop: the program ran for 1 s without waiting on the simulator (x:1)' })] }, { tables: false, locale: 'zh-cn' });
    expect(zh).toContain('server[3]: Error: busy loop');
  });
});
