// Learner TypeScript -> a program that can be evaluated any number of times,
// each time with a fresh module scope: transpile (sucrase), guard loops (acorn),
// check imports, then evaluate in a function wrapper whose header shares the
// first line with the code, so line numbers stay the learner's. `sourceURL`
// makes engines name the learner's file in stack traces.
import { BusyLoopError, createGuard, type Guard } from './busy-loop-guard.ts';
import { TranspileError, type Diagnostic } from './diagnostics.ts';
import { inspect } from './format-value.ts';
import { injectLoopGuards } from './loop-guard.ts';
import { PositionMapper, type SourcePosition } from './positions.ts';
import { createProgramConsole, DEFAULT_MAX_OUTPUT_BYTES, type Write } from './program-console.ts';
import { ALLOWED_MODULE, buildScope } from './program-scope.ts';
import { transpile } from './transpile.ts';

export interface ProgramIO {
  write: Write;
}

export interface InstantiateOptions {
  /** Seeds the program's Math.random. Default 1. */
  seed?: number;
  /** Most bytes of console output. Default 1 MiB. */
  maxOutputBytes?: number;
  /** The world's virtual clock, ms: Date.now(), new Date() and performance.now() then read it. */
  clock?: () => number;
}

export interface LocatedError {
  name: string;
  message: string;
  line?: number;
  column?: number;
  /** The learner's frames only, mapped to the source. */
  stack?: string;
}

export interface CompiledProgram {
  readonly fileName: string;
  /** The JavaScript that runs (for debugging the runner). */
  readonly code: string;
  /** Evaluates the module afresh and returns its exports. Throws what its top level throws. */
  instantiate(io: ProgramIO, options?: InstantiateOptions): Promise<Record<string, unknown>>;
  /** Starts a slice of at most `ms` real ms for synchronous code. */
  armGuard(ms: number): void;
  /** Called when the guard trips (runProgram stops the world then). */
  onBusyLoop(listener: (error: BusyLoopError) => void): void;
  readonly guard: Guard;
  /** Where in the learner's file an error was thrown, and a clean account of it. */
  locate(error: unknown): LocatedError;
  /** One line for people: "TypeError: x is not a function (prog.ts:7:3)". */
  describeError(error: unknown): string;
  /** Maps a generated position (as a stack trace gives it) to the learner's file. */
  toSource(line: number, column: number): SourcePosition;
}

export type CompileResult =
  | { ok: true; program: CompiledProgram; diagnostics: Diagnostic[] }
  | { ok: false; message: string; diagnostics: Diagnostic[] };

function checkFileName(fileName: unknown): string {
  if (typeof fileName !== 'string' || fileName.trim() === '') return 'program.ts';
  // The name goes into a sourceURL comment: keep it on one line.
  return fileName.replace(/[\r\n]/g, ' ');
}

/** Turns learner TypeScript into a CompiledProgram, or a message saying why it cannot run. */
export function compileProgram(source: string, fileNameIn = 'program.ts'): CompileResult {
  const fileName = checkFileName(fileNameIn);
  if (typeof source !== 'string') {
    return { ok: false, message: `${fileName}: the program must be text, got ${source === null ? 'null' : typeof source}`, diagnostics: [] };
  }
  let guarded: ReturnType<typeof injectLoopGuards>;
  let mappings;
  try {
    const transpiled = transpile(source, fileName);
    mappings = transpiled.mappings;
    guarded = injectLoopGuards(transpiled.code, fileName, transpiled.mappings);
  } catch (error) {
    if (error instanceof TranspileError) return { ok: false, message: error.message, diagnostics: error.diagnostics };
    throw error;
  }
  const sourceLines = source.split('\n');
  // Point at the module name in the learner's line (sucrase rewrites the import around it).
  const moduleColumn = (line: number, module: string, fallback: number) => {
    const text = sourceLines[line - 1] ?? '';
    const at = Math.max(text.indexOf(`'${module}'`), text.indexOf(`"${module}"`));
    return at >= 0 ? at + 1 : fallback;
  };
  const importErrors: Diagnostic[] = guarded.imports
    .filter((imp) => imp.module !== ALLOWED_MODULE)
    .map((imp) => ({
      line: imp.line,
      column: moduleColumn(imp.line, imp.module, imp.column),
      message: `Cannot import '${imp.module}': programs can only import '${ALLOWED_MODULE}'`,
      severity: 'error' as const,
    }));
  if (importErrors.length) {
    const first = importErrors[0];
    return { ok: false, message: `${fileName}:${first.line}:${first.column}: ${first.message}`, diagnostics: importErrors };
  }

  const paramNames = [...buildScope({ console: {}, guard: () => {}, seed: 1, fileName, module: { exports: {} } }).keys()];
  const header = `(function (${paramNames.join(', ')}) {`;
  const code = `${header}${guarded.code}\n})\n//# sourceURL=${fileName}\n`;
  const mapper = new PositionMapper(fileName, header.length, guarded.insertions, mappings);
  const busyListeners: ((error: BusyLoopError) => void)[] = [];
  const guard = createGuard(fileName, (error) => busyListeners.forEach((l) => l(error)));

  const locate = (error: unknown): LocatedError => {
    if (error instanceof BusyLoopError) return { name: error.name, message: error.message, line: error.line };
    if (error instanceof Error) {
      const pos = mapper.locateInStack(error.stack);
      const frames = mapper.learnerFrames(error.stack);
      return {
        name: error.name,
        message: error.message,
        ...(pos ? { line: pos.line, column: pos.column } : {}),
        ...(frames.length ? { stack: `${error.name}: ${error.message}\n${frames.join('\n')}` } : {}),
      };
    }
    return { name: 'Error', message: `the program threw a value that is not an Error: ${inspect(error)}` };
  };

  const program: CompiledProgram = {
    fileName,
    code,
    async instantiate(io, options = {}) {
      if (!io || typeof io.write !== 'function') throw new TypeError('instantiate needs { write(stream, text) }');
      const module = { exports: {} as Record<string, unknown> };
      // console.log(error) shows the learner's frames, mapped, not the simulator's.
      const cleanStack = (error: Error) => {
        const frames = mapper.learnerFrames(error.stack);
        return `${error.name}: ${error.message}${frames.length ? `\n${frames.join('\n')}` : ''}`;
      };
      const { console } = createProgramConsole(io.write, options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, cleanStack);
      const scope = buildScope({ console, guard: guard.check, seed: options.seed ?? 1, fileName, module, clock: options.clock });
      // Indirect eval: global scope, no access to this module's variables.
      const factory = (0, eval)(code) as (...args: unknown[]) => void;
      factory(...scope.values());
      return module.exports;
    },
    armGuard: (ms) => guard.arm(ms),
    onBusyLoop: (listener) => busyListeners.push(listener),
    guard,
    locate,
    describeError(error) {
      const located = locate(error);
      const place = located.line !== undefined && !(error instanceof BusyLoopError) ? ` (${fileName}:${located.line}${located.column !== undefined ? `:${located.column}` : ''})` : '';
      return `${located.name}: ${located.message}${place}`;
    },
    toSource: (line, column) => mapper.toSource(line, column),
  };
  return { ok: true, program, diagnostics: [] };
}
