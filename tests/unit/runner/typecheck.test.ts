// The CLI's type check: TypeScript's own diagnostics against the public API,
// as warnings with the learner's line.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typecheckProgram } from '../../../src/runner/typecheck.ts';

const EXAMPLES = resolve(import.meta.dirname, '../../../examples');

describe('typecheckProgram', () => {
  it('finds nothing to say about any example', async () => {
    for (const name of readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts'))) {
      const result = await typecheckProgram(readFileSync(join(EXAMPLES, name), 'utf8'), name);
      expect({ name, ...result }).toEqual({ name, diagnostics: [] });
    }
  });

  it('reports type errors against the API with line and column', async () => {
    const source = [
      "import type { Simulation } from 'closing-time';",
      'export default function (sim: Simulation) {',
      "  const h = sim.host('a');",
      '  h.run(async (os) => {',
      '    const s = os.socket();',
      "    s.setsockopt('SO_LINGER', true);",
      "    s.shutdown('SHUT_BOTH');",
      '    setTimeout(() => {}, 10);',
      '  });',
      '}',
    ].join('\n');
    const { diagnostics } = await typecheckProgram(source, 'dir/prog.ts');
    expect(diagnostics.map((d) => [d.line, d.column, d.message.slice(0, 7), d.severity])).toEqual([
      [6, 31, 'TS2345:', 'warning'],
      [7, 16, 'TS2345:', 'warning'],
      [8, 5, 'TS2304:', 'warning'],
    ]);
    expect(diagnostics[2].message).toBe("TS2304: Cannot find name 'setTimeout'.");
  });

  it('knows the globals a program has: console and performance', async () => {
    const { diagnostics } = await typecheckProgram("console.log(performance.now()); console.error(Math.random(), new Date());\nexport default function () {}\n", 'g.ts');
    expect(diagnostics).toEqual([]);
  });
});
