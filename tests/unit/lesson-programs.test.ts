// Every lesson's playground program, run as the browser runs it, must show in
// its trace what the lesson says it shows (the `expect` list of its <Playground>).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../../src/runner/run-program.ts';
import type { TraceEvent } from '../../types/closing-time.d.ts';
import { checkExpectations } from '../../src/components/playground/expectations.ts';
import { lessonIds, playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';

const contentDir = path.resolve(__dirname, '../../content');
const lessons = lessonIds(contentDir);

describe('lesson playgrounds', () => {
  it('the course has lessons, each with at least one playground that states what it shows', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(8);
    for (const l of lessons) {
      const pgs = playgroundsOfLesson(contentDir, l);
      expect(pgs.length, l).toBeGreaterThan(0);
      for (const p of pgs) expect(p.expect.length, `${l}/${p.id}`).toBeGreaterThan(0);
    }
  });

  for (const lesson of lessons) {
    for (const pg of playgroundsOfLesson(contentDir, lesson)) {
      it(`${lesson}: ${pg.id} shows what the lesson claims`, async () => {
        const events: TraceEvent[] = [];
        const r = await runProgram(pg.source, { fileName: `${pg.id}.ts`, seed: pg.seed, untilMs: pg.untilMs, onEvent: (e) => events.push(e) });
        expect(r.diagnostics, 'the program compiles').toEqual([]);
        expect(r.errors, 'the program runs without errors').toEqual([]);
        const results = checkExpectations(events, pg.expect);
        const missed = results.filter((x) => !x.met).map((x) => x.label);
        expect(missed, `not seen in the trace of ${pg.id}`).toEqual([]);
      });
    }
  }
});
