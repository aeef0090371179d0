// How the grader sees a learner's file: compiled once, then evaluated afresh for
// every check so that module state never leaks from one check into the next.
// The compiler is src/runner's (same transpiler, loop guard, import rules and
// error placement as `closing-time run`); this file names the part the grader uses.

export interface LearnerIO {
  /** Where the learner's console output goes while a check runs. */
  write(stream: 'stdout' | 'stderr', text: string): void;
}

export interface LearnerProgram {
  /** Evaluates the module with its own console; rejects with what the top level throws. */
  instantiate(io: LearnerIO, options?: { seed?: number; maxOutputBytes?: number }): Promise<Record<string, unknown>>;
  /** Arms the busy-loop guard: synchronous learner code running longer than `ms` real ms throws. */
  armGuard(ms: number): void;
  /** Called when the busy-loop guard trips. */
  onBusyLoop?(listener: (error: Error) => void): void;
  /** Where in the learner's file an error was thrown. */
  locate?(error: unknown): { name: string; message: string; line?: number; column?: number; stack?: string };
  /** Turns a thrown value into one line that names the learner's file and line where possible. */
  describeError(error: unknown): string;
}

/** Where in the learner's file a problem is (1-based), for an editor marker. */
export interface SourceProblem {
  line: number;
  column: number;
  message: string;
}

export type CompileResult = { ok: true; program: LearnerProgram } | { ok: false; message: string; problems?: SourceProblem[] };

/** Turns learner TypeScript into a LearnerProgram, or a message saying why it cannot run. */
export type LearnerCompiler = (source: string, filename: string) => CompileResult | Promise<CompileResult>;
