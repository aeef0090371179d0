// `closing-time run <program.ts>`: type-check (warnings), run in a worker
// thread, stream the trace, end with each host's `ss -tan` and the summary.
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { createFormatter, formatSummary, paint, tracePcap } from '../console/index.ts';
import type { Diagnostic } from '../runner/diagnostics.ts';
import type { TraceEvent } from '../../types/closing-time.d.ts';
import { compileProgram } from '../runner/compile-program.ts';
import { runProgramInWorker } from '../runner/run-in-worker.ts';
import { typecheckProgram } from '../runner/typecheck.ts';
import type { SerializedRunResult } from '../runner/worker-protocol.ts';
import type { CliOutput } from './output.ts';
import { kernelRun } from './kernel-run.ts';
import { parseRunArgs, type RunArgs } from './run-args.ts';
import { UsageError } from './usage-error.ts';

export const EXIT_OK = 0;
export const EXIT_PROGRAM_ERROR = 1;
export const EXIT_USAGE = 2;

function diagnosticLine(fileName: string, d: Diagnostic): string {
  return `${fileName}:${d.line}:${d.column}: ${d.severity}: ${d.message.replace(/^(warning|error): /, '')}`;
}

async function readProgram(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${file}`);
    if (code === 'EISDIR') throw new UsageError(`${file} is a directory; give a program file such as ${file.replace(/\/$/, '')}/four-way-close.ts`);
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Opens the --pcap file before the run, so that a path that cannot be written is a usage error at once. */
async function openCapture(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'w');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such directory' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot write the --pcap file ${file}: ${why}`);
  }
}

/**
 * Writes the capture of the segments seen (none if the program never ran),
 * closes the file, and returns the line that says so (printed last, on stderr,
 * so standard output is the same as without --pcap).
 */
async function writeCapture(handle: FileHandle, file: string, events: TraceEvent[]): Promise<string> {
  try {
    await handle.writeFile(tracePcap(events));
  } finally {
    await handle.close();
  }
  const n = events.length;
  return `closing-time: wrote ${n === 1 ? '1 segment' : `${n} segments`} to ${file} (read it with: tcpdump -r ${file} -nn -tt -S)\n`;
}

function exitCodeOf(result: SerializedRunResult): number {
  return result.ok ? EXIT_OK : EXIT_PROGRAM_ERROR;
}

export async function runCommand(argv: readonly string[], io: CliOutput): Promise<number> {
  const args: RunArgs = parseRunArgs(argv);
  const source = await readProgram(args.file);
  const fileName = args.file;
  const color = args.json ? false : args.color === 'auto' ? io.colorDefault : args.color;
  const capture = args.pcap !== undefined ? await openCapture(args.pcap) : null;
  /** The segments a capture at each sender sees, in trace order (only with --pcap). */
  const captured: TraceEvent[] = [];

  // A program that does not compile is reported at once, without the type check's echo of the same error.
  const compiled = compileProgram(source, fileName);
  if (!compiled.ok) {
    const errors = compiled.diagnostics.length ? compiled.diagnostics.map((d) => diagnosticLine(fileName, d)) : [compiled.message];
    if (args.json) {
      io.out(JSON.stringify({ kind: 'summary', ok: false, exitCode: EXIT_PROGRAM_ERROR, fileName, seed: args.seed, summary: null, errors: [{ kind: 'transpile', message: compiled.message }], diagnostics: compiled.diagnostics }) + '\n');
      io.flush();
    }
    for (const line of errors) io.err(`${paint('boldRed', line, color)}\n`);
    if (capture) io.err(await writeCapture(capture, args.pcap!, captured));
    return EXIT_PROGRAM_ERROR;
  }

  if (args.kernel) {
    const { exitCode } = await kernelRun(args, source, io, (e) => captured.push(e));
    if (capture) io.err(await writeCapture(capture, args.pcap!, captured));
    return exitCode;
  }

  const formatter = createFormatter({
    color,
    timeWidth: 7,
    absoluteSeq: args.absoluteSeq,
    addresses: args.addresses,
    deliveries: args.deliveries,
    timers: args.timers,
    fileName,
    ...(args.quiet ? { kinds: ['output', 'process', 'note'] as const, processes: false } : {}),
  });
  const print = (event: TraceEvent) => {
    if (args.json) {
      io.out(JSON.stringify(event) + '\n');
      return;
    }
    const line = formatter.format(event);
    if (line !== null) io.out(line + '\n');
  };
  // The type check (seconds: it loads the compiler and the ES library) runs on
  // this thread while the program runs in its worker; the trace is held back
  // until the warnings are out, so they come first.
  let held: TraceEvent[] | null = args.typecheck ? [] : null;
  const running = runProgramInWorker(source, {
    fileName,
    seed: args.seed,
    untilMs: args.untilMs,
    wallMs: args.wallMs,
    busyLoopMs: args.busyLoopMs,
    onEvent(event) {
      if (capture && event.kind === 'segment' && event.action === 'send') captured.push(event);
      if (held) held.push(event);
      else print(event);
    },
  });
  let warnings: Diagnostic[] = [];
  if (held) {
    const checked = await typecheckProgram(source, fileName);
    warnings = checked.diagnostics;
    if (checked.skipped) io.err(`${checked.skipped}\n`);
    for (const d of warnings) io.err(`${paint('yellow', diagnosticLine(fileName, d), color)}\n`);
    const pending: TraceEvent[] = held;
    held = null;
    for (const event of pending) print(event);
  }
  const result = await running;
  const exitCode = exitCodeOf(result);
  const captureNote = capture ? await writeCapture(capture, args.pcap!, captured) : '';

  if (args.json) {
    io.out(
      JSON.stringify({
        kind: 'summary',
        ok: result.ok,
        exitCode,
        fileName,
        seed: args.seed,
        summary: result.summary,
        errors: result.errors,
        diagnostics: [...result.diagnostics, ...warnings],
      }) + '\n',
    );
    io.flush();
    for (const e of result.errors) io.err(`error: ${e.message}\n`);
    if (captureNote) io.err(captureNote);
    return exitCode;
  }

  if (result.summary) io.out(`\n${formatSummary(result.summary, { color, fileName })}\n`);
  io.flush();
  for (const d of result.diagnostics) io.err(`${paint('boldRed', diagnosticLine(fileName, d), color)}\n`);
  for (const e of result.errors) {
    if (e.kind === 'transpile' && result.diagnostics.length) continue;
    io.err(`${paint('boldRed', `error: ${e.message}`, color)}\n`);
  }
  if (captureNote) io.err(captureNote);
  return exitCode;
}
