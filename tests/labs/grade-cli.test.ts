// `closing-time grade`: exit codes, JSON in Exercism's v3 shape with scores,
// and plain messages for a wrong lab or a missing file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeCommand } from '../../src/cli/grade.ts';

const LABS = join(import.meta.dirname, '../../labs');

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = await gradeCommand(argv, { out: (t) => void (out += t), err: (t) => void (err += t), color: false });
  return { code, out, err };
}

describe('closing-time grade', () => {
  it('exits 0 and prints every check for a passing solution', async () => {
    const r = await run(['half-close', join(LABS, 'half-close/solution.ts')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('PASS  client: gets the reply from a server that reads to EOF');
    expect(r.out).toContain('Score: 10/10');
  });

  it('exits 1 for a failing file and prints the failing message', async () => {
    const r = await run(['labs/clean-client', join(LABS, 'clean-client/starter.ts')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL  returns the whole reply');
    expect(r.out).toContain("keep calling recv() until it returns ''");
  });

  it('prints Exercism v3 JSON with scores, the same bytes every time', async () => {
    const a = await run(['restart-reuseaddr', join(LABS, 'restart-reuseaddr/starter.ts'), '--json']);
    const b = await run(['restart-reuseaddr', join(LABS, 'restart-reuseaddr/starter.ts'), '--json']);
    expect(a.code).toBe(1);
    expect(a.out).toBe(b.out);
    const result = JSON.parse(a.out);
    expect(result.version).toBe(3);
    expect(result.status).toBe('fail');
    expect(result.max_score).toBe(9);
    expect(result.score).toBe(4);
    for (const t of result.tests) {
      expect(Object.keys(t).sort()).toEqual(['max_score', 'message', 'name', 'output', 'score', 'status', 'task_id', 'test_code']);
    }
    expect(result.tests.find((t: { status: string }) => t.status === 'fail').message).toContain('EADDRINUSE');
  });

  it('exits 1 with an error result for a file that does not compile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grade-'));
    const file = join(dir, 'broken.ts');
    writeFileSync(file, 'export async function handle(conn {\n');
    const r = await run(['close-wait-leak', file, '--json']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.out);
    expect(result.status).toBe('error');
    expect(result.message).toContain('broken.ts:1');
    // Said once, with the place for an editor marker; the checks only say they did not run.
    expect(result.problems[0]).toMatchObject({ line: 1 });
    expect(result.tests.every((t: { message: string }) => !t.message.includes('broken.ts'))).toBe(true);
    const text = await run(['close-wait-leak', file]);
    expect(text.out.split('broken.ts:1').length - 1).toBe(1);
  });

  it("prints GitHub Classroom's autograding result with --format classroom", async () => {
    const r = await run(['clean-client', join(LABS, 'clean-client/starter.ts'), '--format', 'classroom']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.out);
    expect(result.version).toBe(1);
    expect(result.status).toBe('fail');
    const json = JSON.parse((await run(['clean-client', join(LABS, 'clean-client/starter.ts'), '--json'])).out);
    expect(result.max_score).toBe(json.max_score);
    expect(result.tests.map((t: { name: string; score: number; status: string }) => [t.name, t.score, t.status])).toEqual(
      json.tests.map((t: { name: string; score: number; status: string }) => [t.name, t.score, t.status]),
    );
    for (const t of result.tests) {
      expect(Object.keys(t).sort()).toEqual(['execution_time', 'filename', 'line_no', 'message', 'name', 'score', 'status', 'test_code']);
      expect(t.filename).toBe('starter.ts');
      expect(t.execution_time).toMatch(/^\d+\.\d\ds$/);
    }
    expect((await run(['clean-client', 'x.ts', '--format', 'xml'])).err).toContain('--format takes text, json or classroom');
  });

  it('exits 2 for an unknown lab, listing the known ones', async () => {
    const r = await run(['no-such-lab', join(LABS, 'half-close/solution.ts')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown lab 'no-such-lab'");
    expect(r.err).toContain('half-close');
  });

  it('exits 2 for a missing file or a folder given as the file', async () => {
    expect((await run(['half-close', 'nope/missing.ts'])).err).toContain('no such file: nope/missing.ts');
    const r = await run(['half-close', LABS]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is a folder');
  });

  it('exits 2 with the usage for wrong arguments', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['half-close'])).err).toContain('Usage: closing-time grade');
    expect((await run(['half-close', 'x.ts', '--verbose'])).err).toContain("unknown option '--verbose'");
    expect((await run(['--help'])).code).toBe(0);
  });

  it('grades a lab folder of its own, from a separate process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'own-lab-'));
    const api = join(import.meta.dirname, '../../src/grading/define-checker.ts');
    writeFileSync(
      join(dir, 'checker.ts'),
      `import { defineChecker, ensure } from ${JSON.stringify(api)};\n` +
        `export default defineChecker<{ answer(): number }>({ lab: 'own-lab', exports: [{ name: 'answer', kind: 'function', signature: 'export function answer(): number' }],\n` +
        `  checks: [{ name: 'answers 42', points: 1, task: 1, description: 'answer() is 42', run(t) { ensure(t.learner.answer() === 42, 'answer() must return 42'); } }] });\n`,
    );
    const file = join(dir, 'mine.ts');
    writeFileSync(file, 'export function answer() { return 41; }\n');
    const main = join(import.meta.dirname, '../../src/cli/main.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(main)}).then(async (m) => { process.exitCode = await m.main(['grade', ${JSON.stringify(dir)}, ${JSON.stringify(file)}]); })`], {
      cwd: join(import.meta.dirname, '../..'),
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL  answers 42');
    expect(r.stdout).toContain('answer() must return 42');
  });
});

describe('gradeLab', () => {
  it('grades by lab id and refuses an unknown one', async () => {
    const { gradeLab } = await import('../../labs/index.ts');
    const { readFileSync } = await import('node:fs');
    const r = await gradeLab('implement-time-wait', readFileSync(join(LABS, 'implement-time-wait/solution.ts'), 'utf8'));
    expect(r.score).toBe(r.max_score);
    expect(() => gradeLab('nope', '')).toThrow("unknown lab 'nope'");
  });
});
