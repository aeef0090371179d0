// A learner file that throws, hangs, loops, floods the console, imports what
// it cannot, or does not compile gets failing results with a message that says
// so; the grader itself always resolves.
import { describe, expect, it } from 'vitest';
import { gradeText } from './grade-file.ts';

const HEADER = "import type { OS } from 'closing-time';\n";

async function grade(body: string) {
  return gradeText('clean-client', HEADER + body, 'mine.ts');
}

describe('grading a broken program', () => {
  it('reports a syntax error with the file and line, as an error result', async () => {
    const r = await grade('export async function fetchAll(os: OS, server: string, request: string) {\n  return (\n}\n');
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/mine\.ts:\d+:\d+/);
    expect(r.score).toBe(0);
    expect(r.tests.every((t) => t.status === 'error')).toBe(true);
  });

  it('names a missing export and the signature the lab wants', async () => {
    const r = await grade('export async function fetch(os: OS) { return ""; }\n');
    expect(r.status).toBe('error');
    expect(r.message).toContain("no export named 'fetchAll'");
    expect(r.message).toContain('export async function fetchAll(os: OS, server: string, request: string): Promise<string>');
  });

  it('says when an export is not a function', async () => {
    const r = await grade('export const fetchAll = 42;\n');
    expect(r.status).toBe('error');
    expect(r.message).toContain("'fetchAll' is exported but is a number, not a function");
  });

  it('refuses an import other than closing-time, naming it', async () => {
    const r = await gradeText('clean-client', "import { readFileSync } from 'fs';\nexport async function fetchAll() { return readFileSync('x', 'utf8'); }\n", 'mine.ts');
    expect(r.status).toBe('error');
    expect(r.message).toContain("Cannot import 'fs'");
  });

  it('reports a throw at the top level of the file', async () => {
    const r = await grade('throw new Error("boom at load");\nexport async function fetchAll() { return ""; }\n');
    expect(r.status).toBe('error');
    expect(r.message).toContain('boom at load');
  });

  it('fails every check, with the error and line, when the function throws', async () => {
    const r = await grade('export async function fetchAll(os: OS, server: string, request: string): Promise<string> {\n  throw new Error("not yet");\n}\n');
    expect(r.status).toBe('fail');
    for (const t of r.tests) {
      expect(t.status).toBe('fail');
      expect(t.message).toContain('not yet');
    }
    expect(r.tests[0].message).toMatch(/line 3/);
  });

  it('stops a synchronous busy loop and still runs the other checks', async () => {
    const r = await gradeText(
      'clean-client',
      HEADER + 'export async function fetchAll(os: OS, server: string, request: string): Promise<string> {\n  let x = 0;\n  while (true) { x++; }\n}\n',
      'mine.ts',
      { sliceMs: 100, wallMs: 3000 },
    );
    expect(r.tests).toHaveLength(4);
    for (const t of r.tests) {
      expect(t.status).toBe('fail');
      expect(t.message).toContain('busy loop');
    }
  });

  it('stops a loop of immediately resolved awaits (no virtual time passes)', async () => {
    const r = await gradeText(
      'clean-client',
      HEADER + 'export async function fetchAll(os: OS, server: string, request: string): Promise<string> {\n  for (;;) { await Promise.resolve(); }\n}\n',
      'mine.ts',
      { sliceMs: 100, wallMs: 3000 },
    );
    for (const t of r.tests) expect(t.status).toBe('fail');
    expect(r.tests[0].message).toContain('busy loop');
  });

  it('fails a program that waits forever on a promise nobody resolves', async () => {
    const r = await grade('export async function fetchAll(os: OS, server: string, request: string): Promise<string> {\n  await new Promise(() => {});\n  return "";\n}\n');
    for (const t of r.tests) {
      expect(t.status).toBe('fail');
      expect(t.message).toContain('fetchAll never returned');
    }
  });

  it('caps megabytes of output and still grades', async () => {
    const r = await grade(
      'export async function fetchAll(os: OS, server: string, request: string): Promise<string> {\n  for (let i = 0; i < 200000; i++) console.log("spam spam spam spam spam spam", i);\n  return "";\n}\n',
    );
    expect(r.status).toBe('fail');
    for (const t of r.tests) {
      expect(t.output!.length).toBeLessThanOrEqual(500);
      expect(t.output).toContain('output truncated');
    }
  });

  it('keeps module state from leaking between checks', async () => {
    // Passes the first check only if it is the first call in this module instance.
    const r = await grade(
      'let calls = 0;\nexport async function fetchAll(os: OS, server: string, request: string): Promise<string> {\n  calls++;\n  if (calls > 1) throw new Error("second call in one module");\n' +
        '  const s = os.socket();\n  try {\n    await s.connect({ host: server, port: 80 });\n    await s.send(request);\n    let r = "";\n    for (;;) { const p = await s.recv(); if (p === "") break; r += p; }\n    return r;\n  } finally {\n    await s.close();\n  }\n}\n',
    );
    expect(r.status).toBe('pass');
  });

  it('treats a non-string source as an error, not a crash', async () => {
    const r = await gradeText('clean-client', undefined as unknown as string);
    expect(r.status).toBe('error');
  });
});
