// The Run button's scenario for linger-shed: with the reference
// solution every expectation the page ticks off is met by the trace; with the
// starter at least one is not. The scenario and the learner's file are both
// compiled and evaluated the way the runner does it, so console output lands
// in the trace as the page shows it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../src/runner/compile-program.ts';
import { createWorld, type TraceEvent, type World } from '../../src/sim/index.ts';

const LAB = join(import.meta.dirname, '../../labs/linger-shed');

type Expectation = { kind: string; host?: string; to?: string; from?: string; flags?: string; errno?: string; call?: string; text?: string; timer?: string; label?: string };

async function evaluate(file: string, world: World) {
  const compiled = compileProgram(readFileSync(file, 'utf8'), file.split('/').pop()!);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.program.instantiate({ write: (stream, text) => world.output(stream, text) });
}

async function runScenario(learnerFile: string) {
  const world = createWorld({ seed: 7, untilMs: 120_000 });
  const mod = await evaluate(join(LAB, 'scenario.ts'), world);
  const learner = await evaluate(learnerFile, world);
  (mod.default as (sim: World, learner: unknown) => void)(world, learner);
  const summary = await world.run();
  return { world, summary, expectations: mod.expect as Expectation[] };
}

/** Whether the trace shows what one expectation describes. */
function met(trace: readonly TraceEvent[], x: Expectation): boolean {
  if (x.kind === 'no-state') return !trace.some((e) => e.kind === 'state' && e.host === x.host && e.to === x.to);
  return trace.some((e) => {
    switch (x.kind) {
      case 'state':
        return e.kind === 'state' && e.host === x.host && e.to === x.to && (x.from === undefined || e.from === x.from);
      case 'segment':
        return e.kind === 'segment' && e.action === 'send' && e.seg.src.host === x.host && e.seg.flags === x.flags;
      case 'errno':
        return e.kind === 'syscall' && e.phase === 'error' && e.host === x.host && e.errno === x.errno && (x.call === undefined || e.call === x.call);
      case 'output':
        return e.kind === 'output' && (x.host === undefined || e.host === x.host) && e.text.includes(x.text!);
      case 'timer':
        return e.kind === 'timer' && e.host === x.host && e.timer === x.timer;
      default:
        throw new Error(`unknown expectation kind ${x.kind}`);
    }
  });
}

describe('linger-shed scenario', () => {
  it('shows everything it promises with the reference solution', async () => {
    const { world, summary, expectations } = await runScenario(join(LAB, 'solution.ts'));
    expect(summary.failed).toEqual([]);
    expect(expectations.length).toBeGreaterThan(0);
    expect(expectations.filter((x) => !met(world.trace, x)).map((x) => x.label ?? x.kind)).toEqual([]);
  });

  it('leaves some of it unmet with the starter', async () => {
    const { world, expectations } = await runScenario(join(LAB, 'starter.ts'));
    expect(expectations.filter((x) => !met(world.trace, x)).length).toBeGreaterThan(0);
  });
});
