import { describe, expect, it } from 'vitest';
import { compileProgram, type CompiledProgram } from '../../../src/runner/compile-program.ts';
import { injectLoopGuards } from '../../../src/runner/loop-guard.ts';
import { transpile } from '../../../src/runner/transpile.ts';

function compile(source: string, fileName = 'prog.ts'): CompiledProgram {
  const r = compileProgram(source, fileName);
  if (!r.ok) throw new Error(r.message);
  return r.program;
}

async function load(source: string, write: (s: string, t: string) => void = () => {}) {
  const program = compile(source);
  const exports = await program.instantiate({ write });
  return { program, exports, main: exports.default as (...args: unknown[]) => unknown };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('transpile and line mapping', () => {
  it('keeps every line where the learner wrote it', () => {
    const source = [
      "import type { Simulation } from 'closing-time';",
      'interface Opts {',
      '  port: number;',
      '}',
      'type T = string | number;',
      'export default function (sim: Simulation): void {',
      '  const o: Opts = { port: 80 };',
      '  throw new Error(`line 8 ${o.port}`);',
      '}',
    ].join('\n');
    const { code } = transpile(source, 'prog.ts');
    expect(code.split('\n')[7]).toContain('throw new Error(`line 8 ${o.port}`)');
  });

  it('reports a thrown error at the learner line and column, past removed types and inserted guards', async () => {
    const { program, main } = await load(
      [
        'export default function (a: number): void {',
        '  for (let i: number = 0; i < 1; i++) { const v: Array<number> = [a]; (v as any).nope(); }',
        '}',
      ].join('\n'),
    );
    const error = thrown(() => main(1));
    const located = program.locate(error);
    expect(located).toMatchObject({ name: 'TypeError', line: 2 });
    // `.nope` starts at column 72 of the source line (1-based; V8 points at the property).
    const sourceLine = '  for (let i: number = 0; i < 1; i++) { const v: Array<number> = [a]; (v as any).nope(); }';
    expect(located.column).toBe(sourceLine.indexOf('nope') + 1);
    expect(program.describeError(error)).toBe(`TypeError: ${(error as Error).message} (prog.ts:2:${sourceLine.indexOf('nope') + 1})`);
    expect(located.stack).toMatch(/^TypeError: .*\n {4}at .*\(prog\.ts:2:\d+\)$/);
  });

  it('maps errors on the first line, which shares its line with the module wrapper', async () => {
    const { program, main } = await load('export default function () { return (null as any).x; }');
    const located = program.locate(thrown(() => main()));
    expect(located.line).toBe(1);
    expect(located.column).toBe('export default function () { return (null as any).x; }'.indexOf('x;') + 1);
  });

  it('gives a syntax error with the learner line and column and does not run', () => {
    const r = compileProgram('const a = 1;\nlet x = ;\n', 'bad.ts');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toEqual([{ line: 2, column: 9, message: 'syntax error: Unexpected token', severity: 'error' }]);
    expect(r.message).toBe('bad.ts:2:9: syntax error: Unexpected token');
  });

  it('reports JavaScript that sucrase lets through but no engine accepts', () => {
    const r = compileProgram('export default function () {}\nawait 1;\n', 'tla.ts');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics[0].line).toBe(2);
    expect(r.diagnostics[0].message).toMatch(/await/);
  });

  it('rejects what is not a program with a clear message', () => {
    const r = compileProgram(42 as never, 'x.ts');
    expect(r).toMatchObject({ ok: false, message: 'x.ts: the program must be text, got number' });
  });
});

describe('loop guard insertion', () => {
  const guarded = (js: string) => injectLoopGuards(js, 'p.js', []).code;

  it('puts a guard at the top of every kind of loop and keeps the line count', () => {
    const js = [
      'while (a) { x(); }',
      'do y(); while (b)',
      'for (;;);',
      'for (const k in o) z(k);',
      'for (const v of l) { w(v) }',
      'label: for (let i = 0; i < 3; i++) continue label;',
      'if (a) while (b) c();',
    ].join('\n');
    const out = guarded(js);
    expect(out.split('\n')).toEqual([
      'while (a) {__ct_guard(1); x(); }',
      'do {__ct_guard(2);y();} while (b)',
      'for (;;){__ct_guard(3);;}',
      'for (const k in o) {__ct_guard(4);z(k);}',
      'for (const v of l) {__ct_guard(5); w(v) }',
      'label: for (let i = 0; i < 3; i++) {__ct_guard(6);continue label;}',
      'if (a) while (b) {__ct_guard(7);c();}',
    ]);
    expect(() => new Function('__ct_guard', 'a', 'b', 'o', 'l', 'x', 'y', 'z', 'w', 'c', out)).not.toThrow();
  });

  it('guards function bodies, arrow expressions included, so deep recursion is stopped too', () => {
    const out = guarded('function f(n) { return f(n + 1); }\nconst g = (x) => ({ x });\nclass A { m() { return 1; } }');
    expect(out.split('\n')).toEqual([
      'function f(n) {__ct_guard(1); return f(n + 1); }',
      'const g = (x) => ((__ct_guard(2),{ x }));',
      'class A { m() {__ct_guard(3); return 1; } }',
    ]);
  });

  it('lists the modules a program requires, with their lines', () => {
    const r = injectLoopGuards("var a = require('closing-time');\n\nvar b = require('fs');", 'p.js', []);
    expect(r.imports.map((i) => [i.module, i.line])).toEqual([
      ['closing-time', 1],
      ['fs', 3],
    ]);
  });
});

describe('busy loops', () => {
  const cases: [string, string, number][] = [
    ['while (true) {}', 'export default function () {\n  while (true) {}\n}', 2],
    ['for (;;);', 'export default function () {\n  let n = 0;\n  for (;;) n++;\n}', 3],
    ['do {} while (1)', 'export default function () {\n  do {} while (1);\n}', 2],
    ['deep recursion', 'function spin(n: number): number {\n  return n > 40 ? 1 : spin(n + 1) + spin(n + 1);\n}\nexport default function () { return spin(0); }', 1],
    // The inner loop trips the guard; the outer loop's guard rethrows the same error.
    ['a loop that catches the error', 'export default function () {\n  for (;;) {\n    try { for (;;) {} } catch {}\n  }\n}', 3],
  ];
  for (const [name, source, line] of cases) {
    it(`stops ${name} with the learner's line`, async () => {
      const { program, main } = await load(source);
      program.armGuard(100);
      const started = Date.now();
      const error = thrown(() => main()) as Error;
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error.name).toBe('BusyLoop');
      expect(error.message).toBe(`busy loop: the program ran for 100 ms without waiting on the simulator (prog.ts:${line})`);
      expect(program.guard.tripped).toBe(error);
    });
  }

  it('looks at the clock more often when each iteration is slow', async () => {
    const { program, main } = await load(
      // Each iteration is a few ms of native work with no guard inside it.
      // Bounded, so that a guard that never looks lets it finish (and the test fail) instead of hanging.
      "export default function () {\n  let s = '';\n  for (let i = 0; i < 1000; i++) {\n    s = 'a'.repeat(300000).replace(/a/g, 'b');\n  }\n}",
    );
    program.armGuard(300);
    const started = Date.now();
    const error = thrown(() => main()) as Error;
    // Far fewer than 10,000 iterations: the guard adapts and stops it near the limit.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.name).toBe('BusyLoop');
    expect(error.message).toContain('(prog.ts:3)');
  });

  it('lets a finite loop run and is re-armed for each slice', async () => {
    const { program, main } = await load('export default function () { let s = 0; for (let i = 0; i < 100000; i++) s += i; return s; }');
    program.armGuard(1000);
    expect(main()).toBe(4999950000);
    program.armGuard(1000);
    expect(program.guard.tripped).toBeNull();
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() => compile('export default 1').armGuard(0)).toThrow(/positive number of milliseconds/);
  });
});

describe('the program scope', () => {
  it("imports 'closing-time' and gets SocketError", async () => {
    const { main } = await load("import { SocketError } from 'closing-time';\nexport default function () { return new SocketError('EPIPE', 'send'); }");
    const e = main() as Error & { code: string };
    expect(e.name).toBe('SocketError');
    expect(e.code).toBe('EPIPE');
  });

  it('refuses other modules at compile time, naming the module and the line', () => {
    const r = compileProgram("import type { Simulation } from 'closing-time';\nimport fs from 'fs';\nexport default function () {}", 'imp.ts');
    expect(r).toMatchObject({ ok: false, message: "imp.ts:2:16: Cannot import 'fs': programs can only import 'closing-time'" });
  });

  it('refuses dynamic imports when they run', async () => {
    const source = "export default function () { const m = 'node:' + 'net'; return require(m); }";
    const { program, main } = await load(source);
    const e = thrown(() => main());
    expect(program.describeError(e)).toBe(
      `ImportError: Cannot import 'node:net': programs can only import 'closing-time' (prog.ts:1:${source.indexOf('require') + 1})`,
    );
  });

  it('replaces timers, fetch and process with explanations', async () => {
    const { program, main } = await load(
      'export default function (what: string) {\n  if (what === "t") setTimeout(() => {}, 10);\n  if (what === "g") globalThis.setInterval(() => {}, 10);\n  if (what === "f") fetch("http://x");\n  if (what === "p") return process.env.HOME;\n}',
    );
    expect(program.describeError(thrown(() => main('t')))).toBe(
      'NotAvailable: setTimeout is not available in a simulation program: time in a simulation is virtual: use `await os.sleep(ms)` inside a process (prog.ts:2:21)',
    );
    expect(program.describeError(thrown(() => main('g')))).toMatch(/^NotAvailable: setInterval is not available .* \(prog\.ts:3:\d+\)$/);
    expect(program.describeError(thrown(() => main('f')))).toMatch(/^NotAvailable: fetch is not available .*os\.socket\(\) \(prog\.ts:4:\d+\)$/);
    expect(program.describeError(thrown(() => main('p')))).toMatch(/^NotAvailable: process\.env is not available .* \(prog\.ts:5:\d+\)$/);
  });

  it('gives Math.random the run seed, so runs repeat', async () => {
    const src = 'export default function () { return [Math.random(), Math.random(), Math.max(1, 2)]; }';
    const a = await compile(src).instantiate({ write: () => {} }, { seed: 7 });
    const b = await compile(src).instantiate({ write: () => {} }, { seed: 7 });
    const c = await compile(src).instantiate({ write: () => {} }, { seed: 8 });
    const run = (e: Record<string, unknown>) => (e.default as () => number[])();
    expect(run(a)).toEqual(run(b));
    expect(run(a)).not.toEqual(run(c));
    expect(run(a)[2]).toBe(2);
  });

  it('evaluates the module afresh each time', async () => {
    const program = compile('let n = 0;\nexport function next() { return ++n; }');
    const a = await program.instantiate({ write: () => {} });
    (a.next as () => number)();
    const b = await program.instantiate({ write: () => {} });
    expect((b.next as () => number)()).toBe(1);
  });
});

describe('console output', () => {
  it('formats values as Node does and prints objects with their own toString through it', async () => {
    const out: [string, string][] = [];
    const { main } = await load(
      [
        'export default function () {',
        '  const table = Object.assign([{ state: "LISTEN" }], { toString() { return "State ...\\nLISTEN"; } });',
        '  console.log("n=%d s=%s", 3, "x", { a: [1, "b"], m: new Map([[1, 2]]) }, null, undefined);',
        '  console.log(table);',
        '  console.error(new Set([1]));',
        '}',
      ].join('\n'),
      (s, t) => out.push([s, t]),
    );
    main();
    expect(out).toEqual([
      ['stdout', "n=3 s=x { a: [ 1, 'b' ], m: Map(1) { 1 => 2 } } null undefined\n"],
      ['stdout', 'State ...\nLISTEN\n'],
      ['stderr', 'Set(1) { 1 }\n'],
    ]);
  });

  it('caps huge output with a clear note and stops formatting past the cap', async () => {
    const out: [string, string][] = [];
    const program = compile('export default function () { for (let i = 0; i < 200000; i++) console.log("0123456789"); }');
    const exports = await program.instantiate({ write: (s, t) => out.push([s, t]) }, { maxOutputBytes: 1024 * 1024 });
    program.armGuard(5000);
    (exports.default as () => void)();
    const stdout = out.filter(([s]) => s === 'stdout').map(([, t]) => t).join('');
    expect(stdout.length).toBeLessThanOrEqual(1024 * 1024 + 1);
    expect(stdout.length).toBeGreaterThan(1024 * 1024 - 20);
    expect(out[out.length - 1]).toEqual(['stderr', '[output cut: the program printed more than 1 MiB; the rest is not shown]\n']);
    expect(out.filter(([s]) => s === 'stderr')).toHaveLength(1);
  });
});
