// The human-readable form of a grade, for the terminal (`closing-time grade`).
import type { GradeResult } from './result-types.ts';
import { graderMessages } from './messages.ts';

export interface FormatOptions {
  /** ANSI colours (default false). */
  color?: boolean;
}

function points(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function formatResult(result: GradeResult, options: FormatOptions = {}): string {
  const c = options.color
    ? { green: (s: string) => `\x1b[32m${s}\x1b[0m`, red: (s: string) => `\x1b[31m${s}\x1b[0m`, yellow: (s: string) => `\x1b[33m${s}\x1b[0m`, dim: (s: string) => `\x1b[2m${s}\x1b[0m`, bold: (s: string) => `\x1b[1m${s}\x1b[0m` }
    : { green: (s: string) => s, red: (s: string) => s, yellow: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };
  // In the result's language; PASS, FAIL, SKIP and ERROR read the same in every one.
  const m = graderMessages[result.lang ?? 'en'].report;
  const lines: string[] = [];
  lines.push(c.bold(m.lab({ lab: result.lab })));
  if (result.status === 'error' && result.message) {
    lines.push(c.red(m.error({ message: result.message })));
  }
  for (const t of result.tests) {
    const mark = result.status === 'error' ? c.dim('SKIP') : t.status === 'pass' ? c.green('PASS') : t.status === 'fail' ? c.red('FAIL') : c.yellow('ERROR');
    lines.push(`${mark}  ${t.title ?? t.name}  ${c.dim(`[${points(t.score)}/${points(t.max_score)}]`)}`);
    if (t.status !== 'pass' && t.message && result.status !== 'error') {
      for (const l of t.message.split('\n')) lines.push(`      ${l}`);
    }
    if (t.status !== 'pass' && t.output) {
      lines.push(c.dim(`      ${m.output}`));
      for (const l of t.output.split('\n').slice(0, 8)) lines.push(c.dim(`        ${l}`));
    }
  }
  const passed = result.tests.filter((t) => t.status === 'pass').length;
  lines.push('');
  lines.push(
    `${result.status === 'pass' ? c.green(m.allPass) : m.somePass({ passed, total: result.tests.length })} ` +
      `${m.score} ${c.bold(`${points(result.score)}/${points(result.max_score)}`)}`,
  );
  return lines.join('\n');
}
