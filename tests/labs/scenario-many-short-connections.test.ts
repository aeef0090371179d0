// The lab page's Run button: the scenario drives the learner's loadgen() and
// says what a correct solution shows; the reference solution shows all of it,
// the starter does not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../src/runner/compile-program.ts';
import { createWorld, type TraceEvent, type World } from '../../src/sim/index.ts';

const LAB = join(import.meta.dirname, '../../labs/many-short-connections');

type Expectation = { kind: string; host?: string; to?: string; from?: string; flags?: string; errno?: string; call?: string; text?: string; timer?: string };

async function runScenario(learnerFile: string): Promise<{ world: World; expected: Expectation[] }> {
  const world = createWorld({ seed: 1, wallMs: 20_000 });
  const io = { write: (stream: 'stdout' | 'stderr', text: string) => world.output(stream, text) };
  const load = async (file: string) => {
    const compiled = compileProgram(readFileSync(join(LAB, file), 'utf8'), file);
    if (!compiled.ok) throw new Error(compiled.message);
    compiled.program.armGuard(5000);
    return compiled.program.instantiate(io, { clock: () => world.now() });
  };
  const scenario = await load('scenario.ts');
  const learner = await load(learnerFile);
  (scenario.default as (sim: World, learner: unknown) => void)(world, learner);
  await world.run();
  return { world, expected: scenario.expect as Expectation[] };
}

function met(e: Expectation, trace: readonly TraceEvent[]): boolean {
  return trace.some((ev) => {
    if (e.host !== undefined && 'host' in ev && ev.host !== e.host) return false;
    switch (e.kind) {
      case 'state':
        return ev.kind === 'state' && ev.to === e.to && (e.from === undefined || ev.from === e.from);
      case 'no-state':
        return !trace.some((x) => x.kind === 'state' && x.to === e.to && (e.host === undefined || x.host === e.host));
      case 'segment':
        return ev.kind === 'segment' && ev.action === 'send' && ev.seg.flags === e.flags && (e.host === undefined || ev.seg.src.host === e.host);
      case 'errno':
        return ev.kind === 'syscall' && ev.errno === e.errno && (e.call === undefined || ev.call === e.call);
      case 'output':
        return ev.kind === 'output' && ev.text.includes(e.text!);
      case 'timer':
        return ev.kind === 'timer' && ev.timer === e.timer;
      default:
        throw new Error(`unknown expectation kind ${e.kind}`);
    }
  });
}

describe('many-short-connections scenario', () => {
  it('shows every expected event with the reference solution', async () => {
    const { world, expected } = await runScenario('solution.ts');
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.filter((e) => !met(e, world.trace))).toEqual([]);
  });

  it('prints what loadgen returned', async () => {
    const { world } = await runScenario('solution.ts');
    const out = world.trace.filter((e) => e.kind === 'output').map((e) => (e.kind === 'output' ? e.text.trim() : ''));
    expect(out[0]).toBe('loadgen returned 600 of 600');
  });

  it('leaves at least one expectation unmet with the starter, which runs out of ports', async () => {
    const { world, expected } = await runScenario('starter.ts');
    expect(expected.filter((e) => !met(e, world.trace)).length).toBeGreaterThan(0);
    expect(world.trace.some((e) => e.kind === 'syscall' && e.errno === 'EADDRNOTAVAIL')).toBe(true);
  });

  it('ends once its TIME_WAIT sockets have run out, about a minute of virtual time', async () => {
    const { world } = await runScenario('solution.ts');
    expect(world.now()).toBeLessThanOrEqual(65_000);
  });
});
