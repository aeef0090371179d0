// The close-wait-detective lab's Run scenario (labs/close-wait-detective/scenario.ts): with the reference
// solution the trace shows every entry of its `expect` list; with the starter
// at least one is missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CloseWaitDetective } from '../../labs/close-wait-detective/checker.ts';
import scenario, { expect as expected } from '../../labs/close-wait-detective/scenario.ts';
import { compileLearner } from '../../src/grading/runner-compiler.ts';
import { createWorld, type TraceEvent, type World } from '../../src/sim/index.ts';

const LAB = join(import.meta.dirname, '../../labs/close-wait-detective');

type Expectation = (typeof expected)[number] & Record<string, unknown>;

/** Runs the scenario with a learner file compiled as the grader compiles it; console output goes to the trace. */
async function runScenario(file: string): Promise<World> {
  const compiled = compileLearner(readFileSync(join(LAB, file), 'utf8'), file);
  if (!compiled.ok) throw new Error(compiled.message);
  const world = createWorld({ seed: 1, wallMs: 10_000 });
  const learner = (await compiled.program.instantiate({ write: (stream, text) => world.output(stream, text) })) as unknown as CloseWaitDetective;
  const log = console.log;
  console.log = (...args: unknown[]) => world.output('stdout', `${args.map(String).join(' ')}\n`);
  try {
    scenario(world, learner);
    await world.run();
  } finally {
    console.log = log;
  }
  return world;
}

function met(trace: readonly TraceEvent[], e: Expectation): boolean {
  return trace.some((ev) => {
    switch (e.kind) {
      case 'state':
        return ev.kind === 'state' && ev.host === e.host && ev.to === e.to && (e.from === undefined || ev.from === e.from);
      case 'no-state':
        return false;
      case 'segment':
        return ev.kind === 'segment' && ev.action === 'send' && ev.seg.src.host === e.host && ev.seg.flags === e.flags;
      case 'errno':
        return ev.kind === 'syscall' && ev.host === e.host && ev.errno === e.errno && (e.call === undefined || ev.call === e.call);
      case 'output':
        return ev.kind === 'output' && (e.host === undefined || ev.host === e.host) && ev.text.includes(String(e.text));
      case 'timer':
        return ev.kind === 'timer' && ev.host === e.host && ev.timer === e.timer && ev.action === 'set';
      default:
        throw new Error(`unknown expectation kind ${String(e.kind)}`);
    }
  });
}

function unmet(world: World): string[] {
  return (expected as readonly Expectation[])
    .filter((e) => (e.kind === 'no-state' ? world.trace.some((ev) => ev.kind === 'state' && ev.host === e.host && ev.to === e.to) : !met(world.trace, e)))
    .map((e) => `${e.kind} ${JSON.stringify(e)}`);
}

describe('close-wait-detective scenario', () => {
  it('shows every expected step in the trace with the reference solution', async () => {
    const world = await runScenario('solution.ts');
    expect(unmet(world)).toEqual([]);
  });

  it('misses at least one expected step with the starter', async () => {
    const world = await runScenario('starter.ts');
    expect(unmet(world).length).toBeGreaterThan(0);
  });

  it('gives the same trace twice (deterministic)', async () => {
    const a = await runScenario('solution.ts');
    const b = await runScenario('solution.ts');
    expect(b.trace.length).toBe(a.trace.length);
    expect(JSON.stringify(b.trace.slice(-20))).toBe(JSON.stringify(a.trace.slice(-20)));
  });
});
