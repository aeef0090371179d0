// Every example and every lesson playground, on the simulator and on this
// machine's Linux, compared: a difference that no documented simplification of
// the simulator explains fails the test. Real time: the examples that wait out
// TIME_WAIT with a 60 s sleep (port-exhaustion, reuseaddr-restart) and every
// lesson playground are capped at a few seconds (both runs, the same cap), so
// the file takes about two minutes instead of ten.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { lessonIds, playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';
import { nsList } from '../../src/kernel/network.ts';
import { PROGRAMS_NOT_YET } from '../../src/kernel/simplifications.ts';
import { type ProgramResult, recordResult, writeProgramsReport } from './programs-report.ts';
import { compareProgram } from './compare-helper.ts';
import { inCI, unavailable } from './environment.ts';

const root = path.resolve(__dirname, '../..');
const examples = readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.ts')).sort();
/** Examples whose point comes after a minute of real time: compared over their first seconds. */
const CAPPED: Record<string, number> = { 'port-exhaustion.ts': 3000, 'reuseaddr-restart.ts': 3000 };
const LESSON_CAP_MS = 4000;

if (unavailable && inCI) {
  test('the kernel run can run in CI', () => {
    expect.fail(`CI=true but the kernel run cannot run: ${unavailable}`);
  });
}

const mine = () => nsList().filter((n) => n.startsWith(`ctk-${process.pid}-`));

/**
 * compareProgram, again (at most twice more) while the verdict is 'different': the
 * kernel run is real time on a machine that may be busy, and a difference that
 * comes and goes between runs is scheduling, not behaviour. One that shows in
 * every run fails.
 */
async function compareAgreeing(...args: Parameters<typeof compareProgram>): ReturnType<typeof compareProgram> {
  let r = await compareProgram(...args);
  for (let i = 0; i < 2 && r.comparison.verdict === 'different'; i++) r = await compareProgram(...args);
  return r;
}

/** What each program's comparison gave, for the conformance page (content/conformance/programs.json). */
const results: ProgramResult[] = [];

describe.skipIf(unavailable !== null)('programs on the simulator and on Linux', () => {
  afterAll(() => {
    // Only a run of the whole file rewrites the page's list (a filtered run would shorten it).
    const playgrounds = lessonIds(path.join(root, 'content')).reduce((n, l) => n + playgroundsOfLesson(path.join(root, 'content'), l).length, 0);
    if (results.length === examples.length + playgrounds) writeProgramsReport(results);
  });

  test('there are the eight examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of examples) {
    test(`examples/${file}: no undocumented difference`, async () => {
      const source = readFileSync(path.join(root, 'examples', file), 'utf8');
      const { comparison, text, kernel, simErrors } = await compareAgreeing(source, file, { untilMs: CAPPED[file] });
      results.push(recordResult(`examples/${file}`, 'example', comparison));
      expect(simErrors).toEqual([]);
      expect(kernel.errors.map((e) => e.message)).toEqual([]);
      expect(comparison.compared.calls, 'calls were compared').toBeGreaterThan(5);
      expect(comparison.compared.segments, 'segments were compared').toBeGreaterThan(2);
      expect(comparison.verdict, text).not.toBe('different');
      expect(mine(), 'namespaces left behind').toEqual([]);
    }, 240_000);
  }

  const contentDir = path.join(root, 'content');
  for (const lesson of lessonIds(contentDir)) {
    for (const pg of playgroundsOfLesson(contentDir, lesson)) {
      // The rfc9293 profile is the simulator's textbook TCP: there is no kernel to compare it with.
      const textbook = /profile:\s*'rfc9293'|configure\(\{[^}]*rfc9293/.test(pg.source);
      const known = PROGRAMS_NOT_YET[`${lesson}/${pg.id}`]?.why;
      if (textbook) results.push({ program: `${lesson}/${pg.id}`, kind: 'playground', verdict: 'not-run', note: 'the rfc9293 profile (textbook TCP): no kernel to compare it with' });
      else if (known) results.push({ program: `${lesson}/${pg.id}`, kind: 'playground', verdict: 'not-yet', note: known });
      test.skipIf(textbook || known !== undefined)(`lesson ${lesson}: playground ${pg.id}: no undocumented difference${known ? ` (not yet: ${known})` : ''}`, async () => {
        const untilMs = Math.min(pg.untilMs ?? Infinity, LESSON_CAP_MS);
        const { comparison, text, kernel } = await compareAgreeing(pg.source, `${pg.id}.ts`, { untilMs, seed: pg.seed });
        results.push(recordResult(`${lesson}/${pg.id}`, 'playground', comparison, kernel.errors.map((e) => e.message)));
        const refused = kernel.errors.filter((e) => /KernelUnsupported: .* is not available on the kernel run/.test(e.message));
        if (refused.length) {
          // A program the backend cannot run at all (duplication ...): it must say so, and that is all.
          expect(refused.length).toBe(kernel.errors.length);
          return;
        }
        expect(kernel.errors.map((e) => e.message)).toEqual([]);
        expect(comparison.verdict, text).not.toBe('different');
      }, 240_000);
    }
  }
});
