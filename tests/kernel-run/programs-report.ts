// The list of program comparisons (examples and lesson playgrounds, run on the
// simulator and on this machine's Linux) that the conformance page shows:
// content/conformance/programs.json, rewritten by a full run of programs.test.ts.
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Comparison } from '../../src/kernel/compare.ts';

export const PROGRAMS_REPORT = path.resolve(__dirname, '../../content/conformance/programs.json');

export interface ProgramResult {
  /** examples/NAME.ts, or LESSON/PLAYGROUND. */
  program: string;
  kind: 'example' | 'playground';
  /** The comparison's verdict; 'refused' when the kernel run cannot do what the program asks (duplication ...); 'not-yet' a listed disagreement; 'not-run' a program with no kernel to compare with. */
  verdict: Comparison['verdict'] | 'refused' | 'not-yet' | 'not-run';
  /** The simplifications that explain its differences (simplifications.ts ids). */
  simplifications?: string[];
  /** How many items were compared, per aspect. */
  compared?: Record<string, number>;
  /** Differences no simplification explains (a failing test). */
  unexplained?: number;
  note?: string;
}

export function recordResult(program: string, kind: ProgramResult['kind'], c: Comparison, kernelErrors: string[] = []): ProgramResult {
  const refused = kernelErrors.find((m) => /KernelUnsupported: .* is not available on the kernel run/.test(m));
  if (refused) return { program, kind, verdict: 'refused', note: refused.replace(/^.*KernelUnsupported: /, '') };
  const simplifications = [...new Set(c.differences.flatMap((d) => (d.explainedBy ? [d.explainedBy] : [])))].sort();
  return {
    program,
    kind,
    verdict: c.verdict,
    ...(simplifications.length ? { simplifications } : {}),
    compared: c.compared,
    ...(c.verdict === 'different' ? { unexplained: c.differences.filter((d) => !d.explainedBy).length } : {}),
    ...(c.truncated ? { note: `compared up to ${(c.cutAtMs / 1000).toFixed(1)} s, where the kernel run stopped` } : {}),
  };
}

export function writeProgramsReport(results: ProgramResult[]): void {
  const report = {
    generatedAt: new Date().toISOString(),
    kernel: spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim(),
    programs: [...results].sort((a, b) => (a.kind === b.kind ? a.program.localeCompare(b.program) : a.kind === 'example' ? -1 : 1)),
  };
  writeFileSync(PROGRAMS_REPORT, `${JSON.stringify(report, null, 2)}\n`);
}
