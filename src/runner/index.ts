// Running learner TypeScript: the same transpiler, loop guard, scope and error
// mapping everywhere. `compileProgram` also serves the grader as its
// LearnerCompiler (src/grading/learner-program.ts).
export { compileProgram } from './compile-program.ts';
export type { CompiledProgram, CompileResult, InstantiateOptions, LocatedError, ProgramIO } from './compile-program.ts';
export { runProgram, DEFAULT_BUSY_LOOP_MS } from './run-program.ts';
export type { ProgramError, ProgramErrorKind, ProgramMain, RunProgramOptions, RunResult } from './run-program.ts';
export { BusyLoopError } from './busy-loop-guard.ts';
export type { Diagnostic } from './diagnostics.ts';
export { TranspileError } from './diagnostics.ts';
export { serializeSummary } from './serialize.ts';
export type { SerializedRunSummary } from './serialize.ts';
export { inspect, formatLogArgs } from './format-value.ts';
