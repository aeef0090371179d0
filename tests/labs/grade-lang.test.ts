// A grade in the language it was asked for: the result says which, the checks'
// titles, descriptions and messages come from the lab's catalogue in that
// language, and English (the default) reads exactly as it always has.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeCommand } from '../../src/cli/grade.ts';
import { checkers } from '../../labs/index.ts';
import { gradeSource } from '../../src/grading/grade-lab.ts';
import { graderMessages } from '../../src/grading/messages.ts';
import { compileLearner } from '../../src/grading/runner-compiler.ts';
import { BusyLoopError } from '../../src/runner/busy-loop-guard.ts';

const LABS = join(import.meta.dirname, '../../labs');
const HAN = /\p{Script=Han}/u;
const checker = checkers.get('clean-client')!;

/**
 * English left untranslated in a Chinese message, once what stays as printed is
 * set aside: quoted text ('…', "…", `…`: requests, replies, arguments, code), the
 * simulator's own text in parentheses ("(Connection reset by peer)", "（rcv ACK of
 * FIN，t=0.050 s）": half-width ones, and full-width ones with no Chinese in them)
 * and the error a program threw ("TypeError: …"). What remains may hold names
 * (states, errnos, hosts, sysctls, API calls) but no run of four English words and
 * none of the words below, which only prose uses.
 */
const ENGLISH_WORD = /\b(the|your|was|were|should|must|which|never|instead|because|answers?|listening)\b/i;
const ENGLISH_RUN = /\b[a-z]+(?: [a-z]+){3,}\b/i;
function englishLeft(message: string): string[] {
  const rest = message
    .replace(/'[^']*'|"(?:[^"\\]|\\.)*"|`[^`]*`/g, "''")
    .replace(/\([^()]*\)|（[^（）\p{Script=Han}]*）/gu, '')
    .replace(/\w*Error: [^（。]*/g, '');
  return [...(rest.match(ENGLISH_RUN) ?? []), ...(rest.match(ENGLISH_WORD) ?? [])];
}

/** Grades every wrong solution of `lab` in zh-CN: each check is named and described in Chinese, and each failing one explains itself in Chinese with every value filled in. */
async function expectChineseVerdicts(lab: string) {
  const dir = join(import.meta.dirname, 'wrong', lab);
  const labChecker = checkers.get(lab)!;
  const files = readdirSync(dir).filter((x) => x.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    const zh = await gradeSource(labChecker, readFileSync(join(dir, f), 'utf8'), { compile: compileLearner, lang: 'zh-CN', filename: f });
    expect(zh.lang).toBe('zh-CN');
    const failed = zh.tests.filter((t) => t.status !== 'pass');
    expect(failed.length, f).toBeGreaterThan(0);
    for (const t of zh.tests) {
      expect(HAN.test(t.title ?? ''), `${f} ${t.name}: title`).toBe(true);
      expect(HAN.test(t.test_code), `${f} ${t.name}: description`).toBe(true);
    }
    for (const t of failed) {
      const m = t.message ?? '';
      expect(HAN.test(m), `${f} ${t.name}: ${m}`).toBe(true);
      expect(m, `${f} ${t.name}`).not.toMatch(/undefined|\{\w+\}|\[object|NaN/);
      expect(englishLeft(m), `${f} ${t.name}: English left in ${m}`).toEqual([]);
    }
  }
}

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = await gradeCommand(argv, { out: (t) => void (out += t), err: (t) => void (err += t), color: false });
  return { code, out, err };
}

describe('grading in Simplified Chinese', () => {
  it('a zh-CN grade says so and names, describes and explains every check in Chinese', async () => {
    const source = readFileSync(join(LABS, 'clean-client/starter.ts'), 'utf8');
    const zh = await gradeSource(checker, source, { compile: compileLearner, lang: 'zh-CN' });
    const en = await gradeSource(checker, source, { compile: compileLearner });
    expect(zh.lang).toBe('zh-CN');
    expect(en.lang).toBe('en');
    expect(zh.tests.map((t) => t.name)).toEqual(en.tests.map((t) => t.name));
    expect(zh.tests.map((t) => t.status)).toEqual(en.tests.map((t) => t.status));
    expect(zh.score).toBe(en.score);
    for (const t of zh.tests) {
      expect(HAN.test(t.title ?? ''), t.name).toBe(true);
      expect(HAN.test(t.test_code), t.name).toBe(true);
      if (t.status !== 'pass') expect(HAN.test(t.message ?? ''), `${t.name}: ${t.message}`).toBe(true);
    }
    for (const t of en.tests) {
      expect(t.title).toBeUndefined();
      expect(HAN.test(`${t.message ?? ''}${t.test_code}`)).toBe(false);
    }
  }, 60_000);

  it('clean-client: each wrong client gets a Chinese explanation with no English text and every value filled in', async () => {
    await expectChineseVerdicts('clean-client');
  }, 180_000);

  it('the English check finds prose and leaves printed text alone', () => {
    expect(englishLeft('服务器 never answered the request')).not.toEqual([]);
    expect(englishLeft('连接应当 instead 被关闭')).not.toEqual([]);
    expect(englishLeft('recv() 返回了 ECONNRESET (Connection reset by peer)，在 "GET / HTTP/1.0 and more words" 之后')).toEqual([]);
    expect(englishLeft('服务器停在 CLOSE_WAIT（rcv ACK of FIN，t=0.050 s），net.ipv4.tcp_fin_timeout 为 60')).toEqual([]);
    expect(englishLeft('程序抛出 TypeError: cannot read properties of undefined（第 3 行）')).toEqual([]);
  });

  it('close-wait-detective: each wrong server gets a Chinese explanation with every value filled in', async () => {
    await expectChineseVerdicts('close-wait-detective');
  }, 180_000);

  it('close-wait-detective: an answer whose status line cannot be read is explained in Chinese, and in English as before', async () => {
    const source = [
      "import type { Socket } from 'closing-time';",
      'export async function handle(conn: Socket): Promise<void> {',
      "  await conn.recv();",
      "  await conn.send('oops\\n');",
      '  await conn.close();',
      '}',
    ].join('\n');
    const lab = checkers.get('close-wait-detective')!;
    const zh = await gradeSource(lab, source, { compile: compileLearner, lang: 'zh-CN', filename: 'oops.ts', only: 'every route still answers' });
    const en = await gradeSource(lab, source, { compile: compileLearner, filename: 'oops.ts', only: 'every route still answers' });
    const zhRoutes = zh.tests.find((t) => t.name === 'every route still answers')!;
    const enRoutes = en.tests.find((t) => t.name === 'every route still answers')!;
    expect(zhRoutes.message).toContain('无法解析的状态行 "oops"（对 ');
    expect(englishLeft(zhRoutes.message ?? '')).toEqual([]);
    expect(enRoutes.message).toContain('got a malformed status line "oops" for ');
  }, 60_000);

  it('stale-pool: each wrong pool gets a Chinese explanation with every value filled in', async () => {
    await expectChineseVerdicts('stale-pool');
  }, 180_000);

  it('dead-client: each wrong configuration gets a Chinese explanation with every value filled in', async () => {
    await expectChineseVerdicts('dead-client');
  }, 180_000);

  it('lb-upstream-pool: each wrong upstream pool gets a Chinese explanation with no English text and every value filled in', async () => {
    await expectChineseVerdicts('lb-upstream-pool');
  }, 180_000);

  it('restart-reuseaddr: each wrong solution gets a Chinese explanation with no English text and every value filled in', async () => {
    await expectChineseVerdicts('restart-reuseaddr');
  }, 300_000);

  it('close-wait-leak: each wrong solution gets a Chinese explanation with no English text and every value filled in', async () => {
    await expectChineseVerdicts('close-wait-leak');
  }, 300_000);

  it('linger-shed: each wrong solution gets a Chinese explanation with no English text and every value filled in', async () => {
    await expectChineseVerdicts('linger-shed');
  }, 300_000);

  it('each wrong load generator of many-short-connections gets a Chinese explanation with every value filled in', async () => {
    await expectChineseVerdicts('many-short-connections');
  }, 300_000);

  it('each wrong client and handler of half-close gets a Chinese explanation with every value filled in', async () => {
    await expectChineseVerdicts('half-close');
  }, 300_000);

  it('each wrong TIME_WAIT handler of implement-time-wait gets a Chinese explanation with every value filled in', async () => {
    await expectChineseVerdicts('implement-time-wait');
  }, 300_000);

  it('a file that cannot be graded says why in Chinese', async () => {
    const r = await gradeSource(checker, 'export const nothing = 1;\n', { compile: compileLearner, lang: 'zh-CN', filename: 'x.ts' });
    expect(r.status).toBe('error');
    expect(r.message).toBe("x.ts 没有名为 'fetchAll' 的导出：本实验需要 `export async function fetchAll(os: OS, server: string, request: string): Promise<string>`");
    expect(r.tests.every((t) => t.message === '未运行：这个文件无法判题（原因见上方）')).toBe(true);
  });

  it('closing-time grade --lang zh-CN prints the report and the JSON in Chinese; English stays the default', async () => {
    const file = join(LABS, 'clean-client/starter.ts');
    const text = await run(['clean-client', file, '--lang', 'zh-CN']);
    expect(text.code).toBe(1);
    expect(text.out).toContain('FAIL  返回完整的回复');
    expect(text.out).toMatch(/得分： \d+\/9/);
    const json = await run(['clean-client', file, '--lang=zh-CN', '--json']);
    expect(JSON.parse(json.out).lang).toBe('zh-CN');
    const plain = await run(['clean-client', file]);
    expect(plain.out).toContain('FAIL  returns the whole reply');
    expect(HAN.test(plain.out)).toBe(false);
  }, 60_000);

  it('stops a program that never waits with the busy-loop guard\'s words in Chinese, at the top level and in a check, and in the guard\'s own English otherwise', async () => {
    const header = "import type { OS } from 'closing-time';\n";
    const atTop = `${header}let x = 0;\nwhile (true) { x++; }\nexport async function fetchAll(os: OS, server: string, request: string): Promise<string> { return ''; }\n`;
    const inCheck = `${header}export async function fetchAll(os: OS, server: string, request: string): Promise<string> {\n  for (;;) {}\n}\n`;
    const grade = (source: string, lang: 'en' | 'zh-CN') => gradeSource(checker, source, { compile: compileLearner, lang, filename: 'spin.ts', sliceMs: 300, only: 'returns the whole reply' });
    expect((await grade(atTop, 'zh-CN')).message).toBe('spin.ts 在加载时出错：忙循环：程序运行了 300 毫秒，一直没有等待模拟器（spin.ts:3）');
    expect((await grade(atTop, 'en')).message).toBe('spin.ts failed while loading: BusyLoop: busy loop: the program ran for 300 ms without waiting on the simulator (spin.ts:3)');
    const zh = (await grade(inCheck, 'zh-CN')).tests[0];
    expect(zh.status).toBe('fail');
    expect(zh.message).toBe('忙循环：程序运行了 300 毫秒，一直没有等待模拟器（spin.ts:3）。循环里必须 await 模拟器的调用（recv、sleep、accept 等），虚拟时间才会前进。');
    expect(englishLeft(zh.message!)).toEqual([]);
    expect((await grade(inCheck, 'en')).tests[0].message).toBe(
      'busy loop: the program ran for 300 ms without waiting on the simulator (spin.ts:3). A loop must await the simulator (recv, sleep, accept ...) to let virtual time pass.',
    );
  }, 30_000);

  it('closing-time grade --lang zh-CN says the busy loop in Chinese', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-spin-'));
    try {
      const file = join(dir, 'spin.ts');
      writeFileSync(file, "import type { OS } from 'closing-time';\nexport async function fetchAll(os: OS, server: string, request: string): Promise<string> {\n  for (;;) {}\n}\n");
      const r = await run(['clean-client', file, '--lang', 'zh-CN', '--json']);
      expect(r.code).toBe(1);
      const result = JSON.parse(r.out) as { tests: { message: string | null }[] };
      for (const t of result.tests) expect(t.message).toMatch(/^忙循环：程序运行了 1 秒，一直没有等待模拟器（spin\.ts:3）。循环里必须 await/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('writes the guard\'s English exactly as the guard does, for every limit', () => {
    for (const ms of [300, 1000, 1500, 2000]) {
      expect(graderMessages.en.busyLoopGuard({ ms, file: 'a.ts', line: 7 })).toBe(new BusyLoopError('a.ts', 7, ms).message);
    }
    expect(graderMessages['zh-CN'].busyLoopGuard({ ms: 1500, file: 'a.ts', line: 7 })).toBe('忙循环：程序运行了 1.5 秒，一直没有等待模拟器（a.ts:7）');
  });

  it('refuses a language it does not speak', async () => {
    const r = await run(['clean-client', join(LABS, 'clean-client/starter.ts'), '--lang', 'fr']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--lang takes en or zh-CN, got 'fr'");
  });
});
