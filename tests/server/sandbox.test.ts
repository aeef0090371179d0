// The workshop server's sandbox: learner programs graded in isolated-vm
// isolates inside child processes, with memory, CPU and real-time limits and a
// locked-down realm. Each abuse below must end as a failing or error result
// with a message a learner can act on, and the next submission (a lab's
// reference solution) must then grade normally with full marks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkers, gradeLab, labIds } from '../../labs/index.ts';
import type { GradeResult } from '../../src/grading/result-types.ts';
import { createGradingPool, type GradingPool } from '../../src/server/grading/pool.ts';
import { trustedResult } from '../../src/server/grading/trusted-result.ts';

const root = path.resolve(import.meta.dirname, '../..');
const labFile = (lab: string, file: 'solution.ts' | 'starter.ts') => readFileSync(path.join(root, 'labs', lab, file), 'utf8');
const maxOf = (lab: string) => checkers.get(lab)!.checks.reduce((s, c) => s + c.points, 0);

/** Grading options shared by the pools and the in-process comparison, small enough to keep this file quick. */
const SLICE_MS = 500;
const CHECK_WALL_MS = 2500;
const MEMORY_MB = 64;
const CPU_MS = 3000;

const HEADER = "import type { OS } from 'closing-time';\n";
/** The real global object, the way a program that wants out would look for it. */
const REAL_GLOBAL = 'const realGlobal: any = (function () {}).constructor("return this")();\n';
const fetchAll = (body: string, prelude = '') =>
  `${HEADER}${prelude}export async function fetchAll(os: OS, server: string, request: string): Promise<string> {\n${body}\n}\n`;
/** A clean-client program whose top level runs `code` (each check evaluates the module afresh, so it runs every time). */
const topLevel = (code: string) => `${HEADER}${code}\nexport async function fetchAll(os: OS, server: string, request: string): Promise<string> { return ''; }\n`;
/**
 * Reaches the memory limit in well under a second: a 100,000-slot array of strings each time round,
 * with a virtual-time wait now and then so that neither the busy-loop guard nor (on a loaded machine)
 * the CPU limit gets there first.
 */
const MEMORY_BOMB = fetchAll('const hoard: string[][] = [];\nfor (;;) { hoard.push(new Array(100_000).fill("x" + hoard.length)); if (hoard.length % 8 === 0) await os.sleep(1); }');

let n = 0;
const job = (lab: string, source: string, lang?: 'en' | 'zh-CN') => ({ id: `job-${++n}`, lab, source, ...(lang ? { lang } : {}) });
const messages = (r: GradeResult) => [r.message ?? '', ...r.tests.map((t) => t.message ?? '')].join('\n');

function expectNotPassed(r: GradeResult, pattern: RegExp) {
  expect(r.status === 'fail' || r.status === 'error').toBe(true);
  expect(r.score).toBe(0);
  expect(r.tests.some((t) => t.status === 'pass')).toBe(false);
  expect(messages(r)).toMatch(pattern);
}

describe('grading lab files through the pool', () => {
  let pool: GradingPool;
  beforeAll(() => {
    pool = createGradingPool({ size: 2, memoryMb: MEMORY_MB, cpuMs: CPU_MS, sliceMs: SLICE_MS, checkWallMs: CHECK_WALL_MS });
  });
  afterAll(() => pool.close());

  const inProcess = (lab: string, source: string) => gradeLab(lab, source, { sliceMs: SLICE_MS, wallMs: CHECK_WALL_MS });
  const perTest = (r: GradeResult) => r.tests.map((t) => ({ name: t.name, status: t.status, score: t.score, max_score: t.max_score }));

  it('gives every lab solution full marks, check by check as gradeLab does in-process', async () => {
    const results = await Promise.all(labIds.map((lab) => pool.grade(job(lab, labFile(lab, 'solution.ts')))));
    for (const [i, lab] of labIds.entries()) {
      const r = results[i];
      const local = await inProcess(lab, labFile(lab, 'solution.ts'));
      expect(r.lab).toBe(lab);
      expect(r.status, `${lab}: ${messages(r)}`).toBe('pass');
      expect(r.score).toBe(maxOf(lab));
      expect(r.max_score).toBe(maxOf(lab));
      expect(perTest(r)).toEqual(perTest(local));
    }
  });

  it('fails the same checks of every starter as gradeLab does in-process', async () => {
    const results = await Promise.all(labIds.map((lab) => pool.grade(job(lab, labFile(lab, 'starter.ts')))));
    for (const [i, lab] of labIds.entries()) {
      const local = await inProcess(lab, labFile(lab, 'starter.ts'));
      expect(local.status).not.toBe('pass');
      expect(perTest(results[i]), lab).toEqual(perTest(local));
      expect(results[i].status).toBe(local.status);
      expect(results[i].score).toBe(local.score);
    }
  });

  it('answers an unknown lab id with an error result instead of throwing', async () => {
    const r = await pool.grade(job('no-such-lab', 'export {}'));
    expect(r.status).toBe('error');
    expect(r.tests).toEqual([]);
    expect(r.message).toContain("no lab 'no-such-lab'");
    expect(r.message).toContain('clean-client');
  });

  it('runs honest code that assigns name, message or toString on objects below the frozen built-ins', async () => {
    const prelude = [
      'class LabError extends Error { constructor(message: string) { super(message); this.name = "LabError"; } }',
      'const e = new LabError("x"); if (e.name !== "LabError" || String(e) !== "LabError: x") throw new Error("Error subclass name: " + e.name);',
      'const o: any = {}; o.toString = () => "custom"; o.valueOf = () => 7; if (String(o) !== "custom" || +o !== 7) throw new Error("toString/valueOf");',
      'const f: any = function () {}; f.toString = () => "f"; if (String(f) !== "f") throw new Error("function toString");',
      'function Legacy(this: any) {} Legacy.prototype.constructor = Legacy;',
      'const t: any = new TypeError(); t.message = "changed"; if (t.message !== "changed") throw new Error("message");',
      '',
    ].join('\n');
    const source = labFile('clean-client', 'solution.ts').replace("import type { OS } from 'closing-time';\n", `${HEADER}${prelude}`);
    const r = await pool.grade(job('clean-client', source));
    expect(r.status, messages(r)).toBe('pass');
    expect(r.score).toBe(maxOf('clean-client'));
  });
});

describe('abuse: the sandbox holds, and the next submission grades normally', () => {
  let pool: GradingPool;
  beforeAll(() => {
    // One child, so the submission after an abuse runs where the abuse ran.
    pool = createGradingPool({ size: 1, memoryMb: MEMORY_MB, cpuMs: CPU_MS, wallMs: 10_000, sliceMs: SLICE_MS, checkWallMs: CHECK_WALL_MS });
  });
  afterAll(() => pool.close());

  async function expectNextGradesNormally(lab = 'clean-client') {
    const r = await pool.grade(job(lab, labFile(lab, 'solution.ts')));
    expect(r.status, messages(r)).toBe('pass');
    expect(r.score).toBe(maxOf(lab));
  }

  it('gives no host process or require: the stand-ins explain, the real global has neither', async () => {
    const r = await pool.grade(
      job(
        'clean-client',
        fetchAll(
          [
            'const seen: string[] = ["real global: process=" + typeof realGlobal.process + " require=" + typeof realGlobal.require + " module=" + typeof realGlobal.module];',
            'try { seen.push(String((process as any).env.HOME)); } catch (e: any) { seen.push(e.message); }',
            'try { seen.push(String((require as any)("child_" + "process"))); } catch (e: any) { seen.push(e.message); }',
            'throw new Error(seen.join(" | "));',
          ].join('\n'),
          REAL_GLOBAL,
        ),
      ),
    );
    expectNotPassed(r, /real global: process=undefined require=undefined module=undefined/);
    expect(messages(r)).toContain('process.env is not available in a simulation program');
    expect(messages(r)).toContain("Cannot import 'child_process'");
    await expectNextGradesNormally();
  });

  it('leaves nothing but standard built-ins on the global object the Function-constructor chain reaches', async () => {
    // ECMAScript's globals (V8's console among them) and the grader's own timer and clock stand-ins.
    const standard = new Set(
      (
        'Object Function Array Number parseFloat parseInt Infinity NaN undefined Boolean String Symbol Date Promise RegExp Error AggregateError EvalError RangeError ' +
        'ReferenceError SyntaxError TypeError URIError globalThis JSON Math Intl ArrayBuffer Uint8Array Int8Array Uint16Array Int16Array Uint32Array Int32Array ' +
        'Float32Array Float64Array Uint8ClampedArray BigUint64Array BigInt64Array DataView Map BigInt Set WeakMap WeakSet Proxy Reflect FinalizationRegistry WeakRef ' +
        'decodeURI decodeURIComponent encodeURI encodeURIComponent escape unescape eval isFinite isNaN console setTimeout clearTimeout setImmediate clearImmediate performance'
      ).split(' '),
    );
    const r = await pool.grade(
      job(
        'clean-client',
        topLevel(
          [
            'const viaFunction: any = (function () {}).constructor("return this")();',
            'const viaGenerator: any = (function* () {}).constructor("return this")().next().value;',
            'const viaEval: any = (0, eval)("this");',
            'if (viaFunction !== viaGenerator || viaFunction !== viaEval) throw new Error("different globals");',
            'const names = Reflect.ownKeys(viaFunction).map(String);',
            'const hidden = ["__closingTimeGrader", "__closingTimeHostWake", "__closingTimeHostReport", "__closingTimeHostDone"].filter((k) => k in viaFunction);',
            'throw new Error("GLOBALS " + JSON.stringify({ names, hidden, extensible: Object.isExtensible(viaFunction) }));',
          ].join('\n'),
        ),
      ),
    );
    expect(r.status).toBe('error');
    expect(r.message).toContain('GLOBALS');
    const seen = JSON.parse(/GLOBALS (\{.*?\})(?: \(|$)/.exec(r.message!)![1]) as { names: string[]; hidden: string[]; extensible: boolean };
    expect(seen.hidden).toEqual([]);
    expect(seen.extensible).toBe(false);
    expect(seen.names.filter((k) => !standard.has(k))).toEqual([]);
    expect(seen.names).not.toContain('SharedArrayBuffer');
    expect(seen.names).not.toContain('WebAssembly');
    await expectNextGradesNormally();
  });

  it('refuses dynamic import(), whether sucrase sees it or raw eval does', async () => {
    const literal = await pool.grade(job('clean-client', fetchAll('const fs = await import("fs"); return String(fs);')));
    expectNotPassed(literal, /Cannot import 'fs'/);
    const computed = await pool.grade(job('clean-client', fetchAll('const m = await import("node:" + "fs"); return String(m);')));
    expectNotPassed(computed, /Cannot import 'node:fs'/);
    const raw = await pool.grade(job('clean-client', fetchAll('const m = await (0, eval)("import(\'node:fs\')"); return String(m);')));
    expectNotPassed(raw, /Not supported/);
    await expectNextGradesNormally();
  });

  it('stops a busy loop at the top level of the file', async () => {
    const r = await pool.grade(job('clean-client', topLevel('let x = 0;\nwhile (true) { x++; }')));
    expect(r.status).toBe('error');
    expect(r.message).toContain(`failed while loading: BusyLoop: busy loop: the program ran for ${SLICE_MS} ms without waiting`);
    await expectNextGradesNormally();
    const zh = await pool.grade(job('clean-client', topLevel('let x = 0;\nwhile (true) { x++; }'), 'zh-CN'));
    expect(zh).toMatchObject({ status: 'error', lang: 'zh-CN' });
    expect(zh.message).toBe(`clean-client.ts 在加载时出错：忙循环：程序运行了 ${SLICE_MS} 毫秒，一直没有等待模拟器（clean-client.ts:3）`);
  });

  it('stops a busy loop inside a handler, check by check', async () => {
    const source = "import type { Socket } from 'closing-time';\nexport async function handle(conn: Socket): Promise<void> {\n  let spins = 0;\n  for (;;) { spins++; }\n}\n";
    const r = await pool.grade(job('close-wait-leak', source));
    expect(r.status).toBe('fail');
    expect(r.score).toBe(0);
    for (const t of r.tests) expect(t.message).toContain(`busy loop: the program ran for ${SLICE_MS} ms without waiting on the simulator (close-wait-leak.ts:4)`);
    await expectNextGradesNormally('close-wait-leak');
  });

  it('stops a memory bomb at the memory limit and says so in the language of the submission', async () => {
    const r = await pool.grade(job('clean-client', MEMORY_BOMB));
    expect(r.status).toBe('error');
    expect(r.score).toBe(0);
    expect(r.message).toBe(`your program used more than ${MEMORY_MB} MB of memory (a very large array or string, or one that grows in a loop?), so the grader stopped it`);
    expect(r.tests.every((t) => t.message === r.message)).toBe(true);
    await expectNextGradesNormally();
    const zh = await pool.grade(job('clean-client', MEMORY_BOMB, 'zh-CN'));
    expect(zh).toMatchObject({ status: 'error', score: 0, lang: 'zh-CN' });
    expect(zh.message).toBe(`你的程序使用的内存超过了 ${MEMORY_MB} MB（是不是有很大的数组或字符串，或者在循环里不断变大？），判题器已将它停止`);
    expect(zh.tests.every((t) => t.message === zh.message)).toBe(true);
    await expectNextGradesNormally();
  });

  it('keeps the checks that finished before a later check hit the memory limit', async () => {
    // The second check's reply is 5,000 bytes; the first one's (40,000) is read correctly.
    const source = labFile('clean-client', 'solution.ts').replace('  await sock.close();\n  return reply;', '  if (reply.length === 5000) { const hoard: number[][] = []; for (let i = 0; i < 100_000; i++) { hoard.push(new Array(1 << 17).fill(i)); if (i % 4 === 0) await os.sleep(1); } }\n  await sock.close();\n  return reply;');
    expect(source).toContain('hoard');
    const r = await pool.grade(job('clean-client', source));
    expect(r.tests[0].status).toBe('pass');
    expect(r.tests.slice(1).every((t) => t.status === 'error' && /more than 64 MB of memory/.test(t.message!))).toBe(true);
    expect(r.status).toBe('fail');
    expect(r.score).toBe(checkers.get('clean-client')!.checks[0].points);
    await expectNextGradesNormally();
  });

  it('caps 200 MB of console output and a 10 MB error message', async () => {
    const r = await pool.grade(job('clean-client', fetchAll('const mb = "spam ".repeat(200_000);\nfor (let i = 0; i < 200; i++) console.log(mb);\nthrow new Error("x".repeat(10_000_000));')));
    expectNotPassed(r, /xxxx/);
    expect(JSON.stringify(r).length).toBeLessThan(64 * 1024);
    for (const t of r.tests) {
      expect(t.output!.length).toBeLessThanOrEqual(1000);
      expect(t.output).toContain('output truncated');
      expect(t.message!.length).toBeLessThanOrEqual(4000);
    }
    await expectNextGradesNormally();
  });

  it('stops a microtask storm: an await loop, and a promise chain that feeds itself', async () => {
    const awaitLoop = await pool.grade(job('clean-client', fetchAll('for (;;) await null;')));
    expectNotPassed(awaitLoop, new RegExp(`busy loop: the program ran for ${SLICE_MS} ms without waiting on the simulator`));
    // Each link of this chain waits on the next, so it also grows the heap: on a fast machine it can
    // reach the memory limit before the busy-loop guard's slice ends. Either stop holds the sandbox.
    const chain = await pool.grade(job('clean-client', topLevel('const again = (): Promise<unknown> => Promise.resolve().then(again);\nagain();')));
    expectNotPassed(chain, new RegExp(`busy loop: the program ran for ${SLICE_MS} ms without waiting on the simulator|used more than ${MEMORY_MB} MB of memory`));
    await expectNextGradesNormally();
  });

  it('fails an await that never resolves, and one on a real timer it found', async () => {
    const never = await pool.grade(job('clean-client', fetchAll('await new Promise(() => {});\nreturn "";')));
    expectNotPassed(never, /fetchAll never returned/);
    const realTimer = await pool.grade(job('clean-client', fetchAll('await new Promise((r) => realGlobal.setTimeout(r, 600_000));\nreturn "";', REAL_GLOBAL)));
    expectNotPassed(realTimer, /fetchAll never returned/);
    await expectNextGradesNormally();
  });

  it('refuses prototype pollution aimed at faking the result: the starter still scores as a starter', async () => {
    const honest = await pool.grade(job('clean-client', labFile('clean-client', 'starter.ts')));
    expect(honest.status).toBe('fail');
    const attempts = [
      // Without the lockdown this one alone turns the starter's failing 'ends without RST' into a pass:
      // the checker collects the RST segments it looks for with push().
      ['push', 'Array.prototype.push = function (this: any[], ...items: any[]) { return realPush.apply(this, items.filter((e) => !(e && e.kind === "segment" && e.seg.rst))); }', 'Array.prototype.push !== realPush'],
      ['every', '(Array.prototype as any).every = () => true', 'Array.prototype.every.length === 0'],
      ['reduce', '(Array.prototype as any).reduce = () => 999', '[1].reduce((a: number) => a, 0) === 999'],
      ['status', '(Object.prototype as any).status = "pass"', '({} as any).status === "pass"'],
      ['score', '(Object.prototype as any).score = 999', '({} as any).score === 999'],
      ['stringify', 'JSON.stringify = () => "{}"', 'JSON.stringify([1]) === "{}"'],
      ['then', '(Promise.prototype as any).then = function () {}', 'String(Promise.prototype.then).indexOf("native") < 0'],
      ['defineProperty', 'Object.defineProperty(Array.prototype, "every", { value: () => true })', 'Array.prototype.every.length === 0'],
      ['setPrototypeOf', 'Object.setPrototypeOf(Array.prototype, { every: () => true })', 'Object.getPrototypeOf(Array.prototype) !== Object.prototype'],
      ['delete', 'delete (Array.prototype as any).every', 'typeof Array.prototype.every !== "function"'],
      ['global JSON', 'realGlobal.JSON = { stringify: () => "{}", parse: JSON.parse }', 'realGlobal.JSON.stringify([1]) === "{}"'],
      ['prepareStackTrace', '(Error as any).prepareStackTrace = (_e: unknown, frames: unknown) => frames', '(Error as any).prepareStackTrace !== undefined'],
      ['species', 'Object.defineProperty(Array, Symbol.species, { get: () => Object })', '(Array as any)[Symbol.species] === Object'],
      ['SocketError', 'Object.defineProperty(SocketError, Symbol.hasInstance, { value: () => true })', '({} instanceof SocketError)'],
      ['SocketError.prototype', '(SocketError.prototype as any).code = "EADDRINUSE"', '(SocketError.prototype as any).code === "EADDRINUSE"'],
    ];
    const prelude =
      "import { SocketError } from 'closing-time';\n" +
      REAL_GLOBAL +
      'const realPush = Array.prototype.push;\nconst outcome: string[] = [];\n' +
      attempts.map(([name, act, took]) => `try { ${act}; } catch {}\noutcome.push("${name}:" + ((${took}) ? "TOOK" : "refused"));\n`).join('') +
      'console.log(outcome.join(" "));\n';
    const polluted = labFile('clean-client', 'starter.ts').replace("import type { OS } from 'closing-time';\n", `${HEADER}${prelude}`);
    const r = await pool.grade(job('clean-client', polluted));
    const report = r.tests[0].output ?? '';
    for (const [name] of attempts) expect(report).toContain(`${name}:refused`);
    expect(report).not.toContain('TOOK');
    expect(r.tests.map((t) => t.status)).toEqual(honest.tests.map((t) => t.status));
    expect(r.score).toBe(honest.score);
    await expectNextGradesNormally();
  });

  it('has no network: fetch, XMLHttpRequest and WebSocket explain, and the real global has none of them', async () => {
    const body = [
      'const seen = ["real global: " + [typeof realGlobal.fetch, typeof realGlobal.XMLHttpRequest, typeof realGlobal.WebSocket].join(",")];',
      'try { await fetch("http://example.com/"); } catch (e: any) { seen.push(e.message.split(":")[0]); }',
      'try { (XMLHttpRequest as any)(); } catch (e: any) { seen.push(e.message.split(":")[0]); }',
      'try { (WebSocket as any)("ws://example.com/"); } catch (e: any) { seen.push(e.message.split(":")[0]); }',
      'throw new Error(seen.join(" | "));',
    ].join('\n');
    const r = await pool.grade(job('clean-client', fetchAll(body, REAL_GLOBAL)));
    expectNotPassed(r, /real global: undefined,undefined,undefined \| fetch is not available in a simulation program \| XMLHttpRequest is not available in a simulation program \| WebSocket is not available in a simulation program/);
    await expectNextGradesNormally();
  });

  it('stops a catastrophic regular expression (no loop for the guard to see) at the CPU limit, in the same child', async () => {
    const before = pool.stats().restarts;
    const r = await pool.grade(job('clean-client', topLevel('/(a+)+b/.test("a".repeat(40));')));
    expect(r.status).toBe('error');
    expect(r.message).toBe(
      'grading used more than 3 s of CPU time, so the grader stopped it: look for a loop that never awaits the simulator, or work that grows without bound (a huge string, array, BigInt or regular expression)',
    );
    await expectNextGradesNormally();
    expect(pool.stats().restarts).toBe(before);
  });

  it('says the CPU limit in Chinese to a zh-CN submission', async () => {
    const r = await pool.grade(job('clean-client', topLevel('/(a+)+b/.test("a".repeat(40));'), 'zh-CN'));
    expect(r).toMatchObject({ status: 'error', score: 0, lang: 'zh-CN' });
    expect(r.message).toBe('判题用掉了超过 3 秒的 CPU 时间，判题器已将它停止：检查是否有从不 await 模拟器的循环，或者无限增长的计算（巨大的字符串、数组、BigInt 或正则表达式）');
    await expectNextGradesNormally();
  });

  it('replaces the child when an uninterruptible builtin keeps the isolate busy after its CPU limit', async () => {
    const before = pool.stats().restarts;
    const r = await pool.grade(job('clean-client', topLevel('BigInt("9".repeat(30_000_000));')));
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/^grading used more than 3 s of CPU time/);
    await expectNextGradesNormally();
    expect(pool.stats().restarts).toBe(before + 1);
  }, 30_000);

  it('replaces the child when a huge Array.fill wedges the isolate past its memory limit', async () => {
    // The builtin cannot be interrupted: the isolate is disposed at its memory limit but its thread
    // never comes back (or V8 aborts the whole process). Either way the child is replaced.
    const before = pool.stats().restarts;
    const r = await pool.grade(job('clean-client', topLevel('for (let i = 0; i < 4; i++) new Array(2 ** 28).fill(0);')));
    expect(r.status).toBe('error');
    expect(r.score).toBe(0);
    expect(r.message).toMatch(/^(your program used more than 64 MB of memory|grading used more than 3 s of CPU time|the grader's process (ran out of memory|stopped) while running your code)/);
    await expectNextGradesNormally();
    expect(pool.stats().restarts).toBe(before + 1);
  }, 30_000);

  it('counts what it graded and has nothing left running or queued', () => {
    const s = pool.stats();
    expect(s.size).toBe(1);
    expect(s.busy).toBe(0);
    expect(s.queued).toBe(0);
    expect(s.graded).toBeGreaterThan(20);
  });
});

describe('limits of the grading child', () => {
  it('stops a grading at its real-time limit even when CPU time is not the limit that trips, and says so in the submission\'s language', async () => {
    const pool = createGradingPool({ size: 1, memoryMb: MEMORY_MB, wallMs: 1500, cpuMs: 60_000, sliceMs: 10_000 });
    try {
      const r = await pool.grade(job('clean-client', topLevel('/(a+)+b/.test("a".repeat(40));')));
      expect(r.status).toBe('error');
      expect(r.message).toBe('grading took more than 1.5 s of real time, so the grader stopped it: look for a loop that never awaits, or for a wait on something that never happens');
      // A loop that never ends, and that the busy-loop guard (10 s here) does not stop first.
      const zh = await pool.grade(job('clean-client', topLevel('for (;;) {}'), 'zh-CN'));
      expect(zh).toMatchObject({ status: 'error', score: 0, lang: 'zh-CN' });
      expect(zh.message).toBe('判题用掉了超过 1.5 秒的真实时间，判题器已将它停止：检查是否有从不 await 的循环，或者在等待一件永远不会发生的事');
      const next = await pool.grade(job('restart-reuseaddr', labFile('restart-reuseaddr', 'solution.ts')));
      expect(next.status).toBe('pass');
    } finally {
      await pool.close();
    }
  });
});

describe('the server trusts no result it did not recompute', () => {
  const fakeChild = path.join(root, 'tests/server/fixtures/fake-grading-child.ts');
  const lab = 'clean-client';
  const checks = checkers.get(lab)!.checks;

  it('recomputes scores, max scores and totals from the trusted checks, whatever the child claims', async () => {
    const pool = createGradingPool({ size: 1, childPath: fakeChild });
    try {
      const r = await pool.grade(job(lab, 'forge:points'));
      expect(r.status).toBe('pass');
      expect(r.tests.map((t) => [t.name, t.score, t.max_score, t.task_id, t.test_code])).toEqual(checks.map((c) => [c.name, c.points, c.points, c.task, c.description]));
      expect(r.score).toBe(maxOf(lab));
      expect(r.max_score).toBe(maxOf(lab));

      const oneFails = await pool.grade(job(lab, 'forge:one-fails'));
      expect(oneFails.status).toBe('fail');
      expect(oneFails.tests[1]).toMatchObject({ status: 'fail', score: 0 });
      expect(oneFails.score).toBe(maxOf(lab) - checks[1].points);

      for (const how of ['names', 'extra']) {
        const forged = await pool.grade(job(lab, `forge:${how}`));
        expect(forged.status).toBe('error');
        expect(forged.score).toBe(0);
        expect(forged.message).toContain('does not match this lab');
        expect(forged.tests.map((t) => t.name)).toEqual(checks.map((c) => c.name));
      }
      const garbage = await pool.grade(job(lab, 'garbage'));
      expect(garbage).toMatchObject({ status: 'error', score: 0, max_score: maxOf(lab) });

      // A stopped grading keeps only well-formed finished checks, in order.
      const stopped = await pool.grade(job(lab, 'stopped'));
      expect(stopped.tests.map((t) => t.status)).toEqual(['pass', 'error', 'error', 'error']);
      expect(stopped.score).toBe(checks[0].points);
      expect(stopped.tests[1].message).toBe('stopped on purpose');
    } finally {
      await pool.close();
    }
  });

  it('validates result JSON against the lab: a polluted or forged shape claims nothing', () => {
    const claim = (over: Record<string, unknown>) =>
      JSON.stringify({ version: 3, lab, status: 'pass', score: 99, max_score: 99, tests: checks.map((c) => ({ name: c.name, status: 'pass', message: null, output: null, task_id: c.task, score: 99, max_score: 99 })), ...over });
    expect(trustedResult(lab, claim({})).score).toBe(maxOf(lab));
    expect(trustedResult(lab, claim({ lab: 'half-close' })).status).toBe('error');
    expect(trustedResult(lab, claim({ version: 4 })).status).toBe('error');
    expect(trustedResult(lab, claim({ tests: [] })).status).toBe('error');
    expect(trustedResult(lab, claim({ tests: [...checks].reverse().map((c) => ({ name: c.name, status: 'pass' })) })).status).toBe('error');
    expect(trustedResult(lab, claim({ tests: checks.map((c) => ({ name: c.name, status: 'passed' })) })).status).toBe('error');
    expect(trustedResult(lab, 'not json').status).toBe('error');
    const errorClaimed = trustedResult(lab, claim({ status: 'error', message: 'x', tests: checks.map((c) => ({ name: c.name, status: 'error', message: 'x' })) }));
    expect(errorClaimed).toMatchObject({ status: 'error', message: 'x', score: 0 });
  });

  it('kills a child that stops answering, answers its job with an error, and grades the next job in a new child', async () => {
    const pool = createGradingPool({ size: 1, childPath: fakeChild, wallMs: 500 });
    try {
      const hung = await pool.grade(job(lab, 'hang'));
      expect(hung.status).toBe('error');
      expect(hung.message).toBe(
        "the grader's process stopped answering while running your code and was restarted: look for one call that does an enormous amount of work at once (filling a huge array, parsing a giant BigInt, a regular expression on a long input)",
      );
      const next = await pool.grade(job(lab, 'forge:points'));
      expect(next.status).toBe('pass');
      expect(pool.stats().restarts).toBe(1);
      const zh = await pool.grade(job(lab, 'hang', 'zh-CN'));
      expect(zh).toMatchObject({ status: 'error', lang: 'zh-CN' });
      expect(zh.message).toBe('运行你的代码时，判题器的进程不再响应，已被重启：检查是否有某一次调用一下子做了极其大量的工作（填满巨大的数组、解析巨型 BigInt、在很长的输入上运行正则表达式）');
    } finally {
      await pool.close();
    }
  });

  it('answers the job of a child that dies with an error, and grades the next job in a new child', async () => {
    const pool = createGradingPool({ size: 1, childPath: fakeChild });
    try {
      const died = await pool.grade(job(lab, 'exit'));
      expect(died.status).toBe('error');
      expect(died.message).toBe(
        "the grader's process stopped while running your code, so nothing could be graded: this happens when a program asks for something enormous at once (a huge array filled in one call, a giant string or BigInt)",
      );
      expect((await pool.grade(job(lab, 'forge:points'))).status).toBe('pass');
      expect(pool.stats().restarts).toBe(1);
      const zh = await pool.grade(job(lab, 'exit', 'zh-CN'));
      expect(zh).toMatchObject({ status: 'error', score: 0, lang: 'zh-CN' });
      expect(zh.message).toBe('运行你的代码时，判题器的进程停止了，因此什么都没能判题：程序一次要求极其巨大的东西时会这样（一次调用填满的巨大数组、巨型字符串或 BigInt）');
      expect(zh.tests.every((t) => t.message === zh.message)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('tells a child that died out of memory from one that died otherwise, in the submission\'s language', async () => {
    const pool = createGradingPool({ size: 1, childPath: fakeChild, memoryMb: 96 });
    try {
      const en = await pool.grade(job(lab, 'oom'));
      expect(en.status).toBe('error');
      expect(en.message).toBe(
        "the grader's process ran out of memory while running your code, so nothing could be graded: your program asked for far more than 96 MB at once (a huge array filled in one call, a giant string?)",
      );
      const zh = await pool.grade(job(lab, 'oom', 'zh-CN'));
      expect(zh).toMatchObject({ status: 'error', lang: 'zh-CN' });
      expect(zh.message).toBe('运行你的代码时，判题器的进程耗尽了内存，因此什么都没能判题：你的程序一次要求的内存远远超过 96 MB（一次调用填满的巨大数组、巨型字符串？）');
    } finally {
      await pool.close();
    }
  });

  it('answers a child\'s message it cannot use, a stop with no reason given and a result that does not fit the lab in the submission\'s language', async () => {
    const pool = createGradingPool({ size: 1, childPath: fakeChild });
    try {
      const garbled = await pool.grade(job(lab, 'nonsense'));
      expect(garbled).toMatchObject({ status: 'error', score: 0, message: 'the grader answered in a way this server does not understand' });
      const garbledZh = await pool.grade(job(lab, 'nonsense', 'zh-CN'));
      expect(garbledZh).toMatchObject({ status: 'error', score: 0, lang: 'zh-CN', message: '判题器的回答无法被本服务器理解' });

      const mute = await pool.grade(job(lab, 'mute-stop'));
      expect(mute).toMatchObject({ status: 'error', score: 0, message: 'the grader stopped' });
      const muteZh = await pool.grade(job(lab, 'mute-stop', 'zh-CN'));
      expect(muteZh).toMatchObject({ status: 'error', score: 0, lang: 'zh-CN', message: '判题器已停止' });

      const forged = await pool.grade(job(lab, 'forge:names'));
      expect(forged.message).toBe('the grader returned a result that does not match this lab, so it was not counted; submit again, and tell the instructor if this keeps happening');
      for (const how of ['forge:names', 'forge:extra', 'garbage']) {
        const zh = await pool.grade(job(lab, how, 'zh-CN'));
        expect(zh, how).toMatchObject({ status: 'error', score: 0, lang: 'zh-CN', message: '判题器返回的结果与本实验不符，因此没有计分；请重新提交，如果一再发生，请告诉讲师' });
        expect(zh.tests.every((t) => t.message === zh.message && t.title !== undefined)).toBe(true);
      }
    } finally {
      await pool.close();
    }
  });

  it('refuses an oversized program and an unknown lab in the submission\'s language, before any child sees them', async () => {
    const pool = createGradingPool({ size: 1, childPath: fakeChild });
    try {
      const big = 'x'.repeat(600 * 1024);
      expect((await pool.grade(job(lab, big))).message).toBe('the program is too large to grade (600 KB; at most 512 KB)');
      const bigZh = await pool.grade(job(lab, big, 'zh-CN'));
      expect(bigZh).toMatchObject({ status: 'error', score: 0, lang: 'zh-CN', message: '程序太大，无法判题（600 KB；最多 512 KB）' });
      const noLab = await pool.grade(job('no-such-lab', 'export {}', 'zh-CN'));
      expect(noLab).toMatchObject({ status: 'error', tests: [], lang: 'zh-CN' });
      expect(noLab.message).toBe(`没有名为 'no-such-lab' 的实验：现有的实验是 ${labIds.join('、')}`);
      expect(pool.stats().graded).toBe(0);
    } finally {
      await pool.close();
    }
  });
});

describe('closing the pool', () => {
  const fakeChild = path.join(root, 'tests/server/fixtures/fake-grading-child.ts');
  const lab = 'clean-client';

  it('lets a running job finish within the grace period and rejects queued jobs with POOL_CLOSED', async () => {
    const pool = createGradingPool({ size: 1, childPath: fakeChild });
    await pool.grade(job(lab, 'forge:points')); // the child is up and free again
    const running = pool.grade(job(lab, 'slow:300'));
    const queued = pool.grade(job(lab, 'forge:points'));
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
    const closed = pool.close({ graceMs: 10_000 });
    await expect(queued).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    expect((await running).status).toBe('pass');
    await closed;
    await expect(pool.grade(job(lab, 'forge:points'))).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0 });
  });

  it('rejects a job still running when the grace period ends with POOL_CLOSED, and resolves once the children are gone', async () => {
    const pool = createGradingPool({ size: 1, childPath: fakeChild });
    await pool.grade(job(lab, 'forge:points'));
    const running = pool.grade(job(lab, 'hang')).catch((error: unknown) => error);
    expect(pool.stats().busy).toBe(1);
    await pool.close({ graceMs: 50 });
    expect(await running).toMatchObject({ code: 'POOL_CLOSED' });
  });
});
