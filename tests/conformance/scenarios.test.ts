// The scenario data itself: well formed, and the validator catches mistakes.
import { describe, expect, test } from 'vitest';
import type { Scenario } from './scenario.ts';
import { flagsMatch } from './scenario.ts';
import { scenarios } from './scenarios/index.ts';
import { validateScenario } from './validate.ts';

describe('conformance scenarios', () => {
  test.each(scenarios.map((s) => [s.id, s] as const))('%s is well formed', (_id, s) => {
    expect(validateScenario(s)).toEqual([]);
  });

  test('the suite covers what the course teaches', () => {
    const taught = new Set(scenarios.flatMap((s) => s.teaches.split(/,\s*/)));
    for (const item of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '13', '15', '17', '18', '19']) {
      expect(taught, `tcp-semantics.md item ${item}`).toContain(item);
    }
  });

  test('the validator reports unknown sockets, unmatched waits and unsorted states', () => {
    const bad: Scenario = {
      id: 'Bad_Id',
      title: 't',
      teaches: '1',
      client: [{ op: 'send', sock: 'nope', data: 'x' }, { op: 'wait', name: 'never' }, { op: 'ss', expect: { states: ['LISTEN', 'ESTAB'] } }],
      server: [{ op: 'undrop', id: 'ghost' }],
    };
    const v = validateScenario(bad).join('\n');
    expect(v).toContain('kebab-case');
    expect(v).toContain("socket 'nope' does not exist");
    expect(v).toContain("nobody signals 'never'");
    expect(v).toContain('must be sorted');
    expect(v).toContain("undrop of 'ghost'");
  });

  test('flag patterns match as fault rules do', () => {
    expect(flagsMatch('F', 'F.')).toBe(true);
    expect(flagsMatch('F', 'FP.')).toBe(true);
    expect(flagsMatch('R', 'F.')).toBe(false);
    expect(flagsMatch('=.', '.')).toBe(true);
    expect(flagsMatch('=.', 'P.')).toBe(false);
    expect(flagsMatch('=A', '.')).toBe(true);
  });
});
