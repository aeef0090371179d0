import { describe, expect, it } from 'vitest';
import type { NoteEvent, OutputEvent, ProcessEvent, StateEvent, SyscallEvent, TimerEvent } from '../../../types/closing-time.d.ts';
import { createFormatter, formatEvent } from '../../../src/console/index.ts';

const sock = { host: 'client', id: 1, local: '10.0.0.1:49152', remote: '10.0.0.2:80' };

describe('state, timer, syscall, output, process and note lines', () => {
  it('prints a state change with its cause', () => {
    const e: StateEvent = { kind: 'state', t: 12010, n: 1, host: 'client', sock, from: 'ESTABLISHED', to: 'FIN_WAIT_1', cause: 'close()' };
    expect(formatEvent(e)).toBe('12.010 client 10.0.0.1:49152 ESTABLISHED -> FIN_WAIT_1 (close())');
  });

  it('prints timers: when a set timer fires, and firings', () => {
    const set: TimerEvent = { kind: 'timer', t: 60, n: 2, host: 'client', sock, timer: 'time-wait', action: 'set', at: 60060 };
    expect(formatEvent(set)).toBe('0.060 client 10.0.0.1:49152 time-wait timer set: fires at 60.060 (in 60 s)');
    const fire: TimerEvent = { ...set, t: 60060, action: 'fire', at: undefined };
    expect(formatEvent(fire)).toBe('60.060 client 10.0.0.1:49152 time-wait timer fired');
    expect(formatEvent({ ...set, timer: 'retransmit', action: 'cancel' })).toBe('0.060 client 10.0.0.1:49152 retransmit timer cancelled');
  });

  it('hides routine timer traffic by default but shows what a lesson needs', () => {
    const f = createFormatter();
    const rto: TimerEvent = { kind: 'timer', t: 0, n: 3, host: 'client', sock, timer: 'retransmit', action: 'set', at: 200 };
    expect(f.format(rto)).toBeNull();
    expect(f.format({ ...rto, action: 'fire' })).toContain('retransmit timer fired');
    expect(f.format({ ...rto, timer: 'fin-wait-2' })).toContain('fin-wait-2 timer set');
    expect(createFormatter({ timers: 'all' }).format(rto)).toContain('retransmit timer set: fires at 0.200 (in 200 ms)');
    expect(createFormatter({ timers: 'none' }).format({ ...rto, action: 'fire' })).toBeNull();
  });

  it('prints syscalls like strace, with errno names and their text', () => {
    const bind: SyscallEvent = { kind: 'syscall', t: 0, n: 4, host: 'server', pid: 1, process: 'server', call: 'bind', args: '{ port: 80 }', phase: 'return', fd: 3 };
    expect(formatEvent(bind)).toBe('0.000 server[1] bind(3, { port: 80 }) = 0');
    const refused: SyscallEvent = { ...bind, host: 'client', pid: 2, process: 'client', call: 'connect', args: "{ host: 'server', port: 81 }", phase: 'error', errno: 'ECONNREFUSED' };
    expect(formatEvent(refused)).toBe("0.000 client[2] connect(3, { host: 'server', port: 81 }) = -1 ECONNREFUSED (Connection refused)");
  });

  it('prints a blocking call and its end as strace does', () => {
    const f = createFormatter();
    const call: SyscallEvent = { kind: 'syscall', t: 0, n: 5, host: 'server', pid: 1, process: 'server', call: 'accept', args: '', phase: 'call', fd: 3 };
    expect(f.format(call)).toBe('0.000 server[1] accept(3) ...');
    expect(f.format({ ...call, t: 20, phase: 'return', result: '4' })).toBe('0.020 server[1] <... accept resumed> = 4');
    expect(createFormatter({ syscalls: false }).format(call)).toBeNull();
  });

  it('names a process by host and pid, and by name when it has its own', () => {
    const out: OutputEvent = { kind: 'output', t: 5, n: 6, host: 'server', pid: 3, process: 'handler', stream: 'stdout', text: 'got ping\nsent pong\n' };
    expect(formatEvent(out)).toBe('0.005 server[3 handler] stdout| got ping\n0.005 server[3 handler] stdout| sent pong');
    expect(formatEvent({ ...out, process: 'server', stream: 'stderr', text: 'oops' })).toBe('0.005 server[3] stderr| oops');
    // Code outside any process: no host, pid 0; named by what it is.
    expect(formatEvent({ ...out, host: '', pid: 0, process: 'program', text: 'hello' })).toBe('0.005 program stdout| hello');
    const outside: ProcessEvent = {
      kind: 'process', t: 0, n: 1, host: '', pid: 0, process: 'the default export', action: 'fail',
      error: { name: 'TypeError', message: 'sim.link: a host needs no link to itself (prog.ts:4:7)', line: 4, column: 7 },
    };
    expect(formatEvent(outside, { fileName: 'prog.ts' })).toBe('0.000 the default export failed: TypeError: sim.link: a host needs no link to itself (prog.ts:4:7)');
  });

  it('prints process failures with the file and line they came from', () => {
    const fail: ProcessEvent = {
      kind: 'process', t: 30, n: 7, host: 'client', pid: 2, process: 'client', action: 'fail',
      error: { name: 'SocketError', message: 'connect: ECONNREFUSED', line: 14, column: 5 },
    };
    expect(formatEvent(fail, { fileName: 'prog.ts' })).toBe('0.030 client[2] failed: SocketError: connect: ECONNREFUSED (prog.ts:14:5)');
    expect(formatEvent(fail)).toBe('0.030 client[2] failed: SocketError: connect: ECONNREFUSED (line 14:5)');
    const busy = { ...fail, error: { name: 'BusyLoop', message: 'busy loop: the program ran for 2 s without waiting on the simulator (prog.ts:9)', line: 9 } };
    expect(formatEvent(busy, { fileName: 'prog.ts' })).toBe('0.030 client[2] failed: BusyLoop: busy loop: the program ran for 2 s without waiting on the simulator (prog.ts:9)');
    expect(formatEvent({ ...fail, action: 'start', error: undefined })).toBe('0.030 client[2] started');
  });

  it('prints notes and warnings, and filters by host', () => {
    const note: NoteEvent = { kind: 'note', t: 0, n: 8, level: 'warn', host: 'server', text: 'output cut at 1 MiB' };
    expect(formatEvent(note)).toBe('0.000 server: warning: output cut at 1 MiB');
    expect(formatEvent({ ...note, level: 'info', host: undefined, text: 'hello' })).toBe('0.000 note: hello');
    const onlyClient = createFormatter({ hosts: ['client'] });
    expect(onlyClient.format(note)).toBeNull();
    expect(onlyClient.format({ ...note, host: undefined })).not.toBeNull();
    expect(createFormatter({ kinds: ['segment'] }).format(note)).toBeNull();
  });
});
