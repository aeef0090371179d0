// The playground's pure parts: what-to-look-for tracking, console commands,
// and ss rebuilt from a trace.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../types/closing-time.d.ts';
import { checkExpectations, describeExpectation, ExpectationTracker, parseExpectations } from '../../src/components/playground/expectations.ts';
import { HELP_TEXT, parseCommand } from '../../src/components/playground/console-commands.ts';
import { socketsFromTrace } from '../../src/components/playground/live-ss.ts';
import { runProgram } from '../../src/runner/run-program.ts';

const sock = (id: number, host: string) => ({ host, id, local: `${host}:1000`, remote: 'peer:80' });
const state = (n: number, host: string, from: string, to: string, id = 1) =>
  ({ kind: 'state', t: n, n, host, sock: sock(id, host), from, to, cause: 'test' }) as unknown as TraceEvent;
const err = (n: number, host: string, call: string, errno: string) =>
  ({ kind: 'syscall', t: n, n, host, pid: 1, process: 'p', call, args: '', phase: 'error', errno }) as unknown as TraceEvent;

describe('expectations', () => {
  const trace = [state(0, 'client', 'ESTABLISHED', 'FIN_WAIT_1'), state(1, 'client', 'FIN_WAIT_2', 'TIME_WAIT'), err(2, 'server', 'recv', 'ECONNRESET')];

  it('are met by the first matching event, and name it', () => {
    const r = checkExpectations(trace, [{ kind: 'state', host: 'client', to: 'TIME_WAIT' }, { kind: 'errno', host: 'server', call: 'recv', errno: 'ECONNRESET' }]);
    expect(r.map((x) => [x.met, x.at])).toEqual([[true, 1], [true, 2]]);
  });

  it('fail when the trace does not show them', () => {
    const r = checkExpectations(trace, [{ kind: 'state', host: 'server', to: 'TIME_WAIT' }, { kind: 'errno', host: 'server', call: 'send', errno: 'ECONNRESET' }]);
    expect(r.every((x) => !x.met)).toBe(true);
  });

  it('decide absence only at the end, and a violating event keeps them unmet', () => {
    const t = new ExpectationTracker([{ kind: 'no-state', host: 'client', to: 'CLOSE_WAIT' }, { kind: 'no-state', host: 'client', to: 'TIME_WAIT' }]);
    t.feed(trace);
    expect(t.results.map((r) => r.met)).toEqual([false, false]);
    t.finish();
    expect(t.results.map((r) => r.met)).toEqual([true, false]);
    expect(t.allMet).toBe(false);
  });

  it('describe themselves in plain words unless the lesson gives a label', () => {
    expect(describeExpectation({ kind: 'segment', host: 'client', flags: 'R.' })).toBe('client sends a [R.] segment');
    expect(describeExpectation({ kind: 'state', host: 'a', to: 'CLOSING', label: 'both FINs cross' })).toBe('both FINs cross');
  });

  it('reject malformed lists with a message that names the bad entry', () => {
    expect(() => parseExpectations({}, 'lesson x')).toThrow(/lesson x: "expect" must be an array/);
    expect(() => parseExpectations([{ kind: 'state', host: 'a' }], 'lesson x')).toThrow(/expectation 1 \(state\) needs "to"/);
    expect(() => parseExpectations([{ kind: 'nope' }], 'lesson x')).toThrow(/needs a kind/);
  });
});

describe('console commands', () => {
  it('parse ss and netstat with their flags and an optional host', () => {
    expect(parseCommand('ss -tan')).toEqual({ kind: 'ss', host: undefined, timers: false, listeners: true });
    expect(parseCommand('ss -tano server')).toEqual({ kind: 'ss', host: 'server', timers: true, listeners: true });
    expect(parseCommand('ss -tan state time-wait server')).toMatchObject({ kind: 'ss', host: 'server', filter: { states: ['TIME-WAIT'] } });
    expect(parseCommand('ss -tn')).toMatchObject({ kind: 'ss', listeners: false });
    expect(parseCommand('netstat -tan')).toMatchObject({ kind: 'ss', listeners: true });
  });

  it('parse nstat: -z shows the counters at 0 too, -a and -s are accepted, one host at most', () => {
    expect(parseCommand('nstat -az')).toEqual({ kind: 'nstat', host: undefined, zeros: true });
    expect(parseCommand('nstat client')).toEqual({ kind: 'nstat', host: 'client', zeros: false });
    expect(parseCommand('nstat -a -s server')).toEqual({ kind: 'nstat', host: 'server', zeros: false });
    expect(parseCommand('nstat -x')).toMatchObject({ kind: 'unknown', message: "nstat: unsupported option -- 'x' (try nstat -az)" });
    expect(parseCommand('nstat a b')).toMatchObject({ kind: 'unknown' });
    expect(HELP_TEXT.some((l) => l.trimStart().startsWith('nstat -az'))).toBe(true);
  });

  it('parse filter, replay, clear, help', () => {
    expect(parseCommand('filter client')).toEqual({ kind: 'filter', host: 'client' });
    expect(parseCommand('filter off')).toEqual({ kind: 'filter', host: null });
    expect(parseCommand('  replay ')).toEqual({ kind: 'replay' });
    expect(parseCommand('clear')).toEqual({ kind: 'clear' });
    expect(parseCommand('help')).toEqual({ kind: 'help' });
    expect(parseCommand('')).toEqual({ kind: 'empty' });
  });

  it('explain what is wrong with a bad command', () => {
    expect(parseCommand('rm -rf /')).toMatchObject({ kind: 'unknown', message: 'rm: command not found. Type help for the list.' });
    expect(parseCommand('ss -tanx')).toMatchObject({ kind: 'unknown', message: "ss: unsupported option -- 'x' (try ss -tan)" });
    expect(parseCommand('ss a b')).toMatchObject({ kind: 'unknown' });
  });
});

describe('ss rebuilt from the trace', () => {
  it('lists each host’s sockets in their state at a moment, leaving out closed ones', () => {
    const t = [state(0, 'server', 'CLOSED', 'LISTEN', 1), state(1, 'client', 'ESTABLISHED', 'FIN_WAIT_1', 2), state(2, 'client', 'FIN_WAIT_2', 'TIME_WAIT', 2), state(3, 'client', 'TIME_WAIT', 'CLOSED', 2)];
    expect(socketsFromTrace(t, 1).get('client')?.map((r) => r.state)).toEqual(['FIN-WAIT-1']);
    expect(socketsFromTrace(t, 2).get('client')?.map((r) => r.state)).toEqual(['TIME-WAIT']);
    expect(socketsFromTrace(t).get('client')).toBeUndefined();
    expect(socketsFromTrace(t).get('server')?.[0]).toMatchObject({ state: 'LISTEN', peer: '0.0.0.0:*' });
  });

  it('shows a listener as os.ss() does: its backlog as Send-Q (0 stays 0, a negative one is somaxconn) and the peer 0.0.0.0:*', async () => {
    const program = `
      export default function (sim) {
        const server = sim.host('server');
        server.run(async (os) => {
          const a = os.socket();
          a.bind({ port: 80 });
          a.listen(16);
          const b = os.socket();
          b.bind({ port: 81 });
          b.listen(100000);
          const c = os.socket();
          c.bind({ port: 82 });
          c.listen();
          const d = os.socket();
          d.bind({ port: 83 });
          d.listen(0);
          const e = os.socket();
          e.bind({ port: 84 });
          e.listen(-1);
          for (const r of os.ss()) console.log('ss ' + [r.local, r.peer, r.recvQ, r.sendQ].join(' '));
        });
      }`;
    const events: TraceEvent[] = [];
    const r = await runProgram(program, { fileName: 'listeners.ts', seed: 1, untilMs: 1000, onEvent: (e) => events.push(e) });
    expect(r.ok).toBe(true);
    const printed = events.filter((e): e is Extract<TraceEvent, { kind: 'output' }> => e.kind === 'output' && e.text.startsWith('ss ')).map((e) => e.text.trim());
    expect(printed).toHaveLength(5);
    const live = (socketsFromTrace(events).get('server') ?? []).map((row) => `ss ${[row.local, row.peer, row.recvQ, row.sendQ].join(' ')}`);
    expect(live).toEqual(printed);
    expect(printed[0]).toBe('ss 0.0.0.0:80 0.0.0.0:* 0 16');
    expect(printed.slice(3)).toEqual(['ss 0.0.0.0:83 0.0.0.0:* 0 0', 'ss 0.0.0.0:84 0.0.0.0:* 0 4096']);
  });
});

describe('ss -o rebuilt from the trace shows the keepalive timer', () => {
  // A client with SO_KEEPALIVE (idle 5 s, probes every 2 s, 3 of them) whose peer
  // vanishes: it prints the row os.ss() gives at moments before and during the
  // probing; the console's live ss, rebuilt from the trace at the same moment,
  // must show the same timer, timer:(keepalive,Xsec,N) as ss -o prints it.
  const program = `
    export default function (sim) {
      const client = sim.host('client');
      const server = sim.host('server');
      sim.link(client, server, { delayMs: 1 });
      sim.partition(client, server, { fromMs: 1000, untilMs: 600000 });
      server.run(async (os) => {
        const l = os.socket();
        l.bind({ port: 80 });
        l.listen();
        await l.accept();
        await os.sleep(600000);
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        // Set after connect(): the timer starts at the default idle time and TCP_KEEPIDLE moves it.
        s.setsockopt('SO_KEEPALIVE', true);
        s.setsockopt('TCP_KEEPIDLE', 5);
        s.setsockopt('TCP_KEEPINTVL', 2);
        s.setsockopt('TCP_KEEPCNT', 3);
        for (const t of [3000, 6000, 8000, 10000]) {
          await os.sleep(t - os.now());
          const row = os.ss().find((r) => r.state === 'ESTAB');
          console.log('ss ' + (row && row.timer));
        }
      });
    }`;

  it('counts its time down and its unanswered probes, as os.ss() does', async () => {
    const events: TraceEvent[] = [];
    const r = await runProgram(program, { fileName: 'keepalive.ts', seed: 1, untilMs: 30_000, onEvent: (e) => events.push(e) });
    expect(r.ok).toBe(true);
    const printed = events.filter((e): e is Extract<TraceEvent, { kind: 'output' }> => e.kind === 'output' && e.text.startsWith('ss '));
    expect(printed.map((e) => e.text.trim())).toEqual(['ss keepalive,2sec,0', 'ss keepalive,1sec,1', 'ss keepalive,1sec,2', 'ss keepalive,1sec,3']);
    for (const e of printed) {
      const live = (socketsFromTrace(events, e.n, e.t).get('client') ?? []).find((row) => row.state === 'ESTAB');
      expect(`ss ${live?.timer}`).toBe(e.text.trim());
    }
  });
});
