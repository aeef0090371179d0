// "Show me what happened": one check can be run again on its own, handing back
// the trace and summary of its worlds and the trace event its failure names;
// and a lab's Run drives the learner's exports with a scenario through the
// runner, its errors placed in the learner's file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkers } from '../../labs/index.ts';
import type { CheckTrace } from '../../src/grading/grade-lab.ts';
import { defineChecker, fail } from '../../src/grading/define-checker.ts';
import { gradeSource } from '../../src/grading/grade-lab.ts';
import { compileLearner } from '../../src/grading/runner-compiler.ts';
import { runProgram } from '../../src/runner/run-program.ts';
import type { Simulation } from '../../src/sim/index.ts';
import { gradeText } from './grade-file.ts';

const LABS = join(import.meta.dirname, '../../labs');

describe('replaying one check', () => {
  it('runs only the named check and hands back its worlds with their traces', async () => {
    const lab = 'close-wait-leak';
    const name = checkers.get(lab)!.checks[1]!.name;
    const traces: CheckTrace[] = [];
    const r = await gradeText(lab, readFileSync(join(LABS, lab, 'starter.ts'), 'utf8'), 'starter.ts', { only: name, onTrace: (t) => traces.push(t) });
    expect(r.tests.map((t) => t.name)).toEqual([name]);
    expect(r.max_score).toBe(checkers.get(lab)!.checks[1]!.points);
    expect(traces).toHaveLength(1);
    expect(traces[0]!.status).toBe(r.tests[0]!.status);
    expect(traces[0]!.worlds.length).toBeGreaterThan(0);
    const last = traces[0]!.worlds.at(-1)!;
    expect(last.summary).not.toBeNull();
    expect(last.trace.some((e) => e.kind === 'segment')).toBe(true);
  });

  it('passes on the trace event a failure names', async () => {
    const checker = defineChecker<Record<string, unknown>>({
      lab: 'replay-demo',
      exports: [],
      checks: [
        {
          name: 'points at the first segment',
          points: 1,
          task: 1,
          description: 'fails naming the first segment of its run',
          async run(t) {
            const w = t.world();
            const a = w.host('a');
            const b = w.host('b');
            w.link(a, b, { delayMs: 1 });
            b.run(async (os) => {
              const s = os.socket();
              s.bind({ port: 7 });
              s.listen();
              await (await s.accept()).close();
            });
            a.run(async (os) => {
              const s = os.socket();
              await s.connect({ host: 'b', port: 7 });
              await s.close();
            });
            await t.run(w);
            const first = w.trace.find((e) => e.kind === 'segment')!;
            fail('this segment', first);
          },
        },
      ],
    });
    const traces: CheckTrace[] = [];
    const r = await gradeSource(checker, 'export {}', { compile: compileLearner, onTrace: (t) => traces.push(t) });
    expect(r.tests[0]!.status).toBe('fail');
    const first = traces[0]!.worlds[0]!.trace.find((e) => e.kind === 'segment')!;
    expect(traces[0]!.at).toBe(first.n);
  });

  it('says so when asked for a check the lab does not have', async () => {
    const r = await gradeText('close-wait-leak', 'export async function handle() {}', 'x.ts', { only: 'no such check' });
    expect(r.status).toBe('error');
    expect(r.message).toContain("no check named 'no such check'");
  });
});

describe("a lab's Run", () => {
  it("drives the module's exports with the scenario instead of a default export, and places the learner's errors in their file", async () => {
    const source = "export function greet(os: any) {\n  console.log('hi from ' + os.host.name);\n  throw new Error('oops');\n}\n";
    const result = await runProgram(source, {
      fileName: 'mine.ts',
      main: {
        name: "the lab's scenario",
        run(sim: Simulation, exports) {
          const h = sim.host('box');
          h.run((os) => (exports.greet as (os: unknown) => void)(os), 'greeter');
        },
      },
    });
    expect(result.summary).not.toBeNull();
    const out = result.summary!.failed;
    expect(out).toHaveLength(1);
    expect(out[0]!.error?.line).toBe(3);
    expect(result.errors[0]!.message).toContain('oops');
  });
});

