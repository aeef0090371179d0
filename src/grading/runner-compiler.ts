// The grader compiles learner files with the runner's compiler, so a transpile
// error, a busy loop, a flood of output or an import other than 'closing-time'
// reads the same in `grade` as in `run`.
import { compileProgram } from '../runner/compile-program.ts';
import type { CompileResult } from './learner-program.ts';

export function compileLearner(source: string, filename: string): CompileResult {
  const compiled = compileProgram(source, filename);
  if (!compiled.ok) {
    const problems = compiled.diagnostics.filter((d) => d.severity === 'error').map(({ line, column, message }) => ({ line, column, message }));
    return { ok: false, message: compiled.message, problems };
  }
  return { ok: true, program: compiled.program };
}
