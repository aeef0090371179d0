// Lines for the trace events that are not segments. Syscalls read like strace
// (`connect(3, { host: 'server', port: 80 }) = -1 ECONNREFUSED (Connection refused)`),
// state changes like the RFC 9293 diagram's arrows, each with what caused it.
import type {
  NoteEvent,
  OutputEvent,
  ProcessEvent,
  StateEvent,
  SyscallEvent,
  TimerEvent,
} from '../../types/closing-time.d.ts';
import { paint } from './ansi.ts';
import { strerror } from './errno-text.ts';
import type { ResolvedFormatOptions } from './options.ts';
import { formatDuration, formatTime } from './time-format.ts';

function stamp(t: number, options: ResolvedFormatOptions): string {
  return paint('dim', formatTime(t, options.timeWidth), options.color);
}

/**
 * `client[2]`, or `server[3 handler]` when the process has a name of its own.
 * Code that runs outside any process (the default export, a sim.at callback)
 * has no host and pid 0: it is named by what it is, `the default export`.
 */
export function processTag(host: string, pid: number, process: string): string {
  if (host === '' && pid === 0) return process || 'program';
  const named = process && process !== host && process !== 'main';
  return named ? `${host}[${pid} ${process}]` : `${host}[${pid}]`;
}

export function formatStateLine(e: StateEvent, options: ResolvedFormatOptions): string {
  const c = options.color;
  const change = `${e.from} -> ${paint('boldBlue', e.to, c)}`;
  return `${stamp(e.t, options)} ${e.host} ${e.sock.local} ${change} ${paint('dim', `(${e.cause})`, c)}`;
}

const TIMER_VERB: Record<TimerEvent['action'], string> = { set: 'set', fire: 'fired', cancel: 'cancelled' };

export function formatTimerLine(e: TimerEvent, options: ResolvedFormatOptions): string {
  let text = `${e.host} ${e.sock.local} ${e.timer} timer ${TIMER_VERB[e.action]}`;
  if (e.action === 'set' && e.at !== undefined) text += `: fires at ${formatTime(e.at)} (in ${formatDuration(e.at - e.t)})`;
  const style = e.action === 'fire' ? 'blue' : 'dim';
  return `${stamp(e.t, options)} ${paint(style, text, options.color)}`;
}

function callText(e: SyscallEvent): string {
  // socket() creates the descriptor: it is the result, not an argument.
  const fd = e.fd !== undefined && e.call !== 'socket' ? String(e.fd) : '';
  const args = [fd, e.args ?? ''].filter((a) => a !== '');
  return `${e.call}(${args.join(', ')})`;
}

function resultText(e: SyscallEvent, options: ResolvedFormatOptions): string {
  if (e.phase === 'error') {
    const text = e.errno ? strerror(e.errno) : undefined;
    const errno = e.errno ?? 'error';
    return paint('red', `= -1 ${errno}${text ? ` (${text})` : ''}${e.result ? ` ${e.result}` : ''}`, options.color);
  }
  return `= ${e.result ?? '0'}`;
}

/**
 * A syscall line. `resumed` (known to a stateful formatter) prints a blocking
 * call's end as strace does: `<... accept resumed> = 4`.
 */
export function formatSyscallLine(e: SyscallEvent, options: ResolvedFormatOptions, resumed = false): string {
  const tag = processTag(e.host, e.pid, e.process);
  let text: string;
  if (e.phase === 'call') text = `${callText(e)} ...`;
  else if (resumed) text = `<... ${e.call} resumed> ${resultText(e, options)}`;
  else text = `${callText(e)} ${resultText(e, options)}`;
  return `${stamp(e.t, options)} ${tag} ${text}`;
}

/** Process output, one trace line per line of text. */
export function formatOutputLines(e: OutputEvent, options: ResolvedFormatOptions): string {
  const tag = `${processTag(e.host, e.pid, e.process)} ${e.stream}|`;
  const text = e.text.endsWith('\n') ? e.text.slice(0, -1) : e.text;
  const style = e.stream === 'stderr' ? 'red' : null;
  return text
    .split('\n')
    .map((line) => `${stamp(e.t, options)} ${paint('dim', tag, options.color)} ${paint(style, line, options.color)}`)
    .join('\n');
}

/** The error's message already ends with its place (`(prog.ts:9)`, `(prog.ts:9:5)`): it is not told twice. */
function namesItsPlace(error: NonNullable<ProcessEvent['error']>): boolean {
  if (error.line === undefined) return false;
  return error.message.includes(`:${error.line})`) || (error.column !== undefined && error.message.includes(`:${error.line}:${error.column})`));
}

/** Where an error came from, ` (file.ts:12:5)`; '' when unknown or when its message says so already. */
export function errorPlace(error: NonNullable<ProcessEvent['error']>, fileName: string | undefined): string {
  if (error.line === undefined || namesItsPlace(error)) return '';
  const where = `${error.line}${error.column !== undefined ? `:${error.column}` : ''}`;
  return fileName ? ` (${fileName}:${where})` : ` (line ${where})`;
}

export function formatProcessLine(e: ProcessEvent, options: ResolvedFormatOptions): string {
  const tag = processTag(e.host, e.pid, e.process);
  const c = options.color;
  switch (e.action) {
    case 'start':
      return `${stamp(e.t, options)} ${paint('dim', `${tag} started`, c)}`;
    case 'exit':
      return `${stamp(e.t, options)} ${paint('dim', `${tag} exited`, c)}`;
    case 'kill':
      return `${stamp(e.t, options)} ${paint('yellow', `${tag} killed`, c)}`;
    case 'fail': {
      const err = e.error;
      const what = err ? `${err.name}: ${err.message}${errorPlace(err, options.fileName)}` : 'unknown error';
      return `${stamp(e.t, options)} ${paint('boldRed', `${tag} failed: ${what}`, c)}`;
    }
  }
}

export function formatNoteLine(e: NoteEvent, options: ResolvedFormatOptions): string {
  const label = e.level === 'warn' ? 'warning' : 'note';
  const text = `${e.host ? `${e.host}: ` : ''}${label}: ${e.text}`;
  return `${stamp(e.t, options)} ${paint(e.level === 'warn' ? 'yellow' : 'cyan', text, options.color)}`;
}
