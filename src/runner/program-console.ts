// The `console` a program sees. Its output goes to the world (which attributes
// it to the running process) and is capped, so a program that prints in a loop
// cannot flood the page or the terminal.
import { formatLogArgs, inspect } from './format-value.ts';

export type Stream = 'stdout' | 'stderr';
export type Write = (stream: Stream, text: string) => void;

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Number((bytes / 1024 / 1024).toFixed(1))} MiB` : bytes >= 1024 ? `${Number((bytes / 1024).toFixed(1))} KiB` : `${bytes} bytes`;
}

/** UTF-8 length without allocating (TextEncoder is not everywhere the runner runs). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export interface ProgramConsole {
  console: Record<string, (...args: unknown[]) => void>;
  /** Bytes written so far (up to the cap). */
  readonly written: number;
  readonly truncated: boolean;
}

/** Rewrites an error's stack for the learner (their own frames, their own lines), or returns undefined to keep it. */
export type StackCleaner = (error: Error) => string | undefined;

/** An error as console.log should show it: same name, message and fields, the learner's stack. */
function presentable(value: unknown, clean: StackCleaner | undefined): unknown {
  if (!clean || !(value instanceof Error)) return value;
  const stack = clean(value);
  if (stack === undefined) return value;
  const copy = Object.create(Object.getPrototypeOf(value)) as Error;
  Object.assign(copy, value);
  Object.defineProperties(copy, {
    name: { value: value.name, enumerable: false },
    message: { value: value.message, enumerable: false },
    stack: { value: stack, enumerable: false },
  });
  return copy;
}

export function createProgramConsole(write: Write, maxBytes = DEFAULT_MAX_OUTPUT_BYTES, cleanStack?: StackCleaner): ProgramConsole {
  let written = 0;
  let truncated = false;
  const emit = (stream: Stream, text: string) => {
    if (truncated) return;
    const size = utf8Length(text);
    if (written + size <= maxBytes) {
      written += size;
      write(stream, text);
      return;
    }
    const room = Math.max(0, maxBytes - written);
    if (room > 0) write(stream, text.slice(0, room) + '\n');
    written = maxBytes;
    truncated = true;
    write('stderr', `[output cut: the program printed more than ${sizeText(maxBytes)}; the rest is not shown]\n`);
  };
  // Formatting is skipped once the cap is reached: a print loop then costs nothing.
  const log = (stream: Stream) => (...args: unknown[]) => {
    if (!truncated) emit(stream, formatLogArgs(args.map((a) => presentable(a, cleanStack))) + '\n');
  };
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const programConsole: Record<string, (...args: unknown[]) => void> = {
    log: log('stdout'),
    info: log('stdout'),
    debug: log('stdout'),
    error: log('stderr'),
    warn: log('stderr'),
    trace: log('stderr'),
    dir: (value: unknown) => {
      if (!truncated) emit('stdout', inspect(presentable(value, cleanStack)) + '\n');
    },
    table: log('stdout'),
    assert: (condition: unknown, ...args: unknown[]) => {
      if (!condition) emit('stderr', `Assertion failed${args.length ? `: ${formatLogArgs(args)}` : ''}\n`);
    },
    count: (label = 'default') => {
      const n = (counts.get(String(label)) ?? 0) + 1;
      counts.set(String(label), n);
      emit('stdout', `${label}: ${n}\n`);
    },
    countReset: (label = 'default') => {
      counts.delete(String(label));
    },
    // Real time means nothing in a simulation; these say so instead of lying.
    time: (label = 'default') => {
      timers.set(String(label), 0);
    },
    timeEnd: (label = 'default') => {
      timers.delete(String(label));
      emit('stderr', `console.timeEnd('${label}'): time in a simulation is virtual; measure it with os.now()\n`);
    },
    timeLog: (label = 'default') => {
      emit('stderr', `console.timeLog('${label}'): time in a simulation is virtual; measure it with os.now()\n`);
    },
    group: log('stdout'),
    groupEnd: () => {},
  };
  return {
    console: programConsole,
    get written() {
      return written;
    },
    get truncated() {
      return truncated;
    },
  };
}
