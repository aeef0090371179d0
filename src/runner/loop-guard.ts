// Injects a call to the busy-loop guard at the top of every loop body and every
// function body of the transpiled program, without adding a line: each
// insertion goes inside an existing line, so line numbers stay the learner's.
// A loop that never awaits, or a recursion that never returns, keeps calling the
// guard, and the guard ends it once it has held the thread too long.
//   while (c) x();        ->  while (c) {__ct_guard(1);x();}
//   for (;;) { ... }      ->  for (;;) {__ct_guard(1); ... }
//   function f() { ... }  ->  function f() {__ct_guard(1); ... }
//   (x) => x + 1          ->  (x) => (__ct_guard(1),x + 1)
import { parse, type Node } from 'acorn';
import { TranspileError } from './diagnostics.ts';
import { originalPosition, type MappingSegment } from './source-map.ts';

export const GUARD_NAME = '__ct_guard';

/** Text inserted at a 0-based (line, column) of the transpiled code. */
export interface Insertion {
  pos: number;
  line: number;
  column: number;
  text: string;
}

export interface GuardedCode {
  code: string;
  insertions: Insertion[];
  /** Modules the program requires, with the line of each require. */
  imports: { module: string; line: number; column: number }[];
}

type AnyNode = Node & Record<string, unknown> & { loc: { start: { line: number; column: number }; end: { line: number; column: number } } };

const LOOPS = new Set(['WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement']);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'start' || key === 'end' || key === 'type') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const v of value) if (v && typeof v === 'object' && typeof (v as AnyNode).type === 'string') out.push(v as AnyNode);
    } else if (value && typeof value === 'object' && typeof (value as AnyNode).type === 'string') {
      out.push(value as AnyNode);
    }
  }
  return out;
}

/** Parses transpiled code, inserts guard calls, and lists its requires. */
export function injectLoopGuards(code: string, fileName: string, mappings: MappingSegment[][]): GuardedCode {
  let ast: AnyNode;
  try {
    ast = parse(code, { ecmaVersion: 'latest', sourceType: 'script', locations: true }) as unknown as AnyNode;
  } catch (error) {
    const e = error as SyntaxError & { loc?: { line: number; column: number } };
    const line = e.loc?.line ?? 1;
    const mapped = e.loc ? originalPosition(mappings, line - 1, e.loc.column) : null;
    const message = e.message.replace(/\s*\(\d+:\d+\)$/, '');
    const codeLine = code.split('\n')[line - 1] ?? '';
    const hint = /\bawait\b/.test(codeLine) ? ' (await works only inside async functions: put it in a process, e.g. host.run(async (os) => { ... }))' : '';
    throw new TranspileError(fileName, [{ line, column: (mapped?.column ?? e.loc?.column ?? 0) + 1, message: `syntax error: ${message}${hint}`, severity: 'error' }]);
  }

  const insertions: Insertion[] = [];
  const imports: GuardedCode['imports'] = [];
  const insert = (pos: number, loc: { line: number; column: number }, text: string) =>
    insertions.push({ pos, line: loc.line - 1, column: loc.column, text });
  const call = (line: number) => `${GUARD_NAME}(${line});`;

  const visit = (node: AnyNode) => {
    const line = node.loc.start.line;
    if (LOOPS.has(node.type)) {
      const body = node.body as AnyNode;
      if (body.type === 'BlockStatement') {
        insert(body.start + 1, { line: body.loc.start.line, column: body.loc.start.column + 1 }, call(line));
      } else {
        insert(body.start, body.loc.start, `{${call(line)}`);
        insert(body.end, body.loc.end, '}');
      }
    } else if (FUNCTIONS.has(node.type)) {
      const body = node.body as AnyNode;
      if (body.type === 'BlockStatement') {
        insert(body.start + 1, { line: body.loc.start.line, column: body.loc.start.column + 1 }, call(line));
      } else {
        insert(body.start, body.loc.start, `(${GUARD_NAME}(${line}),`);
        insert(body.end, body.loc.end, ')');
      }
    } else if (
      node.type === 'CallExpression' &&
      (node.callee as AnyNode).type === 'Identifier' &&
      (node.callee as unknown as { name: string }).name === 'require'
    ) {
      const arg = (node.arguments as AnyNode[])[0] as (AnyNode & { value?: unknown }) | undefined;
      if (arg && arg.type === 'Literal' && typeof arg.value === 'string') {
        const mapped = originalPosition(mappings, line - 1, node.loc.start.column);
        imports.push({ module: arg.value, line, column: (mapped?.column ?? node.loc.start.column) + 1 });
      }
    }
    for (const child of children(node)) visit(child);
  };
  visit(ast);

  // Apply from the end so earlier offsets stay valid; at one offset, keep the
  // order of discovery reversed so an outer wrapper encloses an inner one.
  const ordered = insertions.map((ins, i) => ({ ins, i })).sort((a, b) => b.ins.pos - a.ins.pos || b.i - a.i);
  let out = code;
  for (const { ins } of ordered) out = out.slice(0, ins.pos) + ins.text + out.slice(ins.pos);
  return { code: out, insertions, imports };
}
