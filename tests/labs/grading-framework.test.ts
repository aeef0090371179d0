// The checker framework on its own: each check isolated (a throw, a hang or a
// failing listener never stops the others), scores and statuses in Exercism's
// v3 shape, seeds per check, output capped, and clear errors for bad checkers.
import { describe, expect, it } from 'vitest';
import { defineChecker, ensure, fail, maxScore, type LabChecker } from '../../src/grading/define-checker.ts';
import { formatResult } from '../../src/grading/format-result.ts';
import { gradeSource, NOT_RUN } from '../../src/grading/grade-lab.ts';
import { OutputBuffer } from '../../src/grading/output-buffer.ts';
import { compileLearner } from '../../src/grading/runner-compiler.ts';
import { checkSeed } from '../../src/grading/seed.ts';

type Learner = { value(): number; shout(): void };
const SOURCE = 'export function value() { return 7; }\nexport function shout() { console.log("hello from the learner"); }\n';

function checker(checks: LabChecker<Learner>['checks']): LabChecker<Learner> {
  return defineChecker<Learner>({ lab: 'framework', exports: [{ name: 'value', kind: 'function', signature: 'export function value(): number' }], checks });
}

describe('gradeSource', () => {
  it('runs every check in order, isolating a throw, a failure and a hang', async () => {
    const seen: string[] = [];
    const c = checker([
      { name: 'passes', points: 2, task: 1, description: 'd1', run: (t) => ensure(t.learner.value() === 7, 'value() must be 7') },
      { name: 'fails', points: 3, task: 1, description: 'd2', run: () => fail('it went wrong: look at line 1') },
      { name: 'throws', points: 1, task: 2, description: 'd3', run: () => { throw new TypeError('checker bug'); } },
      { name: 'hangs', points: 1, task: 2, description: 'd4', wallMs: 200, run: () => new Promise<void>(() => {}) },
      { name: 'after', points: 1, task: 3, description: 'd5', run: () => undefined },
    ]);
    const r = await gradeSource(c, SOURCE, { compile: compileLearner, onResult: (t) => seen.push(t.name) });
    expect(r.tests.map((t) => [t.name, t.status, t.score, t.max_score, t.task_id])).toEqual([
      ['passes', 'pass', 2, 2, 1],
      ['fails', 'fail', 0, 3, 1],
      ['throws', 'error', 0, 1, 2],
      ['hangs', 'fail', 0, 1, 2],
      ['after', 'pass', 1, 1, 3],
    ]);
    expect(r.tests[1].message).toBe('it went wrong: look at line 1');
    expect(r.tests[2].message).toContain('checker bug');
    expect(r.tests[3].message).toContain('did not finish within 0.2 s');
    expect(r.tests[0].message).toBeNull();
    expect(r.tests[0].test_code).toBe('d1');
    expect(seen).toEqual(['passes', 'fails', 'throws', 'hangs', 'after']);
    expect(r).toMatchObject({ version: 3, status: 'fail', score: 3, max_score: 8, lab: 'framework' });
    expect(r.message).toBeUndefined();
  });

  it('is unaffected by a progress listener that throws', async () => {
    const c = checker([{ name: 'a', points: 1, task: 1, description: '', run: () => undefined }]);
    const r = await gradeSource(c, SOURCE, { compile: compileLearner, onResult: () => { throw new Error('listener'); } });
    expect(r.status).toBe('pass');
  });

  it("captures the learner's output per check", async () => {
    const c = checker([
      { name: 'loud', points: 1, task: 1, description: '', run: (t) => { t.learner.shout(); fail('no'); } },
      { name: 'quiet', points: 1, task: 1, description: '', run: () => fail('no') },
    ]);
    const r = await gradeSource(c, SOURCE, { compile: compileLearner });
    expect(r.tests[0].output).toBe('hello from the learner\n');
    expect(r.tests[1].output).toBeNull();
  });

  it('gives each check its own seed, the same every time', async () => {
    const seeds: number[] = [];
    const c = checker([
      { name: 'one', points: 1, task: 1, description: '', run: (t) => void seeds.push(t.seed, t.world().seed) },
      { name: 'two', points: 1, task: 1, description: '', run: (t) => void seeds.push(t.seed) },
    ]);
    await gradeSource(c, SOURCE, { compile: compileLearner });
    expect(seeds).toEqual([checkSeed('framework', 'one'), checkSeed('framework', 'one'), checkSeed('framework', 'two')]);
    expect(checkSeed('framework', 'one')).not.toBe(checkSeed('framework', 'two'));
  });

  it('reports a missing export once, as an error result for every check', async () => {
    const c = checker([{ name: 'a', points: 4, task: 1, description: 'x', run: () => undefined }]);
    const r = await gradeSource(c, 'export const other = 1;\n', { compile: compileLearner, filename: 'mine.ts' });
    expect(r.status).toBe('error');
    expect(r.message).toBe("mine.ts has no export named 'value': the lab needs `export function value(): number`");
    expect(r.tests).toEqual([{ name: 'a', status: 'error', message: NOT_RUN, output: null, task_id: 1, test_code: 'x', score: 0, max_score: 4 }]);
  });

  it('fails a check whose world runs out of real time, saying so', async () => {
    const c = checker([
      {
        name: 'long',
        points: 1,
        task: 1,
        description: '',
        wallMs: 300,
        async run(t) {
          const w = t.world();
          const h = w.host('h');
          h.run(async (os) => {
            for (;;) await os.sleep(1);
          });
          await t.run(w);
        },
      },
    ]);
    const r = await gradeSource(c, SOURCE, { compile: compileLearner });
    expect(r.tests[0].status).toBe('fail');
    expect(r.tests[0].message).toContain("used up this check's 0.3 s of real time");
  });
});

describe('defineChecker', () => {
  const base = { name: 'x', points: 1, task: 1, description: '', run: () => undefined };
  it('refuses duplicate names, bad points and bad tasks', () => {
    expect(() => defineChecker({ lab: 'l', exports: [], checks: [base, base] })).toThrow("two checks named 'x'");
    expect(() => defineChecker({ lab: 'l', exports: [], checks: [{ ...base, points: 0 }] })).toThrow('positive points');
    expect(() => defineChecker({ lab: 'l', exports: [], checks: [{ ...base, task: 0 }] })).toThrow('task number');
    expect(() => defineChecker({ lab: 'Bad Id', exports: [], checks: [base] })).toThrow("lab id 'Bad Id'");
    expect(() => defineChecker({ lab: 'l', exports: [], checks: [] })).toThrow('no checks');
  });
  it('sums points', () => {
    expect(maxScore(defineChecker({ lab: 'l', exports: [], checks: [base, { ...base, name: 'y', points: 2.5 }] }))).toBe(3.5);
  });
});

describe('OutputBuffer', () => {
  it('keeps at most its cap and summarises to 500 characters with a note', () => {
    const b = new OutputBuffer(1000);
    for (let i = 0; i < 100; i++) b.write('x'.repeat(100));
    expect(b.bytes).toBe(10_000);
    const s = b.summary()!;
    expect(s.length).toBeLessThanOrEqual(500);
    expect(s).toContain('[output truncated: 10000 characters in all]');
    expect(new OutputBuffer().summary()).toBeNull();
  });

  it('notes what it cut in the result’s language', () => {
    const b = new OutputBuffer(1000);
    b.write('x'.repeat(2000));
    const s = b.summary(500, 'zh-CN')!;
    expect(s.length).toBeLessThanOrEqual(500);
    expect(s).toContain('[输出已截断：共 2000 个字符]');
    expect(s).not.toContain('truncated');
  });
});

describe('formatResult', () => {
  it('prints each check with its points and the failing message', () => {
    const text = formatResult({
      version: 3,
      lab: 'demo',
      status: 'fail',
      score: 2,
      max_score: 5,
      tests: [
        { name: 'good', status: 'pass', message: null, output: null, task_id: 1, test_code: '', score: 2, max_score: 2 },
        { name: 'bad', status: 'fail', message: 'server still has 3 sockets in CLOSE_WAIT', output: 'hi', task_id: 1, test_code: '', score: 0, max_score: 3 },
      ],
    });
    expect(text).toBe(
      ['Lab demo', 'PASS  good  [2/2]', 'FAIL  bad  [0/3]', '      server still has 3 sockets in CLOSE_WAIT', '      output:', '        hi', '', '1 of 2 checks pass. Score: 2/5'].join('\n'),
    );
  });
});

describe('lists and descriptors in Chinese checker messages', () => {
  it('space Chinese from Latin text and digits, never next to full-width punctuation', async () => {
    const { listSome, describeDescriptorIn } = await import('../../src/grading/trace-queries.ts');
    expect(listSome(['10.0.0.1:80', '10.0.0.2:80'], 3, 'zh-CN')).toBe('10.0.0.1:80、10.0.0.2:80');
    expect(listSome(['a', 'b', 'c', 'd'], 2, 'zh-CN')).toBe('a、b 等 4 个');
    expect(listSome(['fd 3（进程 p）', 'fd 4（进程 p）', 'fd 5（进程 p）'], 2, 'zh-CN')).toBe('fd 3（进程 p）、fd 4（进程 p）等 3 个');
    expect(listSome(['服务器', '客户端', '代理'], 1, 'zh-CN')).toBe('服务器等 3 个');
    const d = { host: 'server', fd: 3, via: 'accept', peer: '10.0.0.1:40000', process: 'srv', t: 1500 };
    expect(describeDescriptorIn('zh-CN', d as never)).toBe("由 accept()（对端 10.0.0.1:40000）得到的 fd 3（进程 'srv'，t=1.500 s）");
    expect(describeDescriptorIn('zh-CN', { ...d, via: 'socket', peer: undefined } as never)).toBe("由 socket() 得到的 fd 3（进程 'srv'，t=1.500 s）");
    expect(describeDescriptorIn('en', d as never)).toBe("fd 3 from accept() of 10.0.0.1:40000 (process 'srv', t=1.500 s)");
  });
});
