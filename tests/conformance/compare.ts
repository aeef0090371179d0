// Two checks over observations: does a run show what the scenario expects
// (the documented Linux behaviour), and do the kernel and the simulator agree
// on everything the scenario does not exclude with a stated reason.
import type { Observations, Scenario, SegmentCount, Side, Step, StepExpect, StepResult } from './scenario.ts';
import { SIDES, countSegments, describeCount, describeGaps, segmentGaps } from './scenario.ts';

function describeStep(side: Side, i: number, step: Step): string {
  const args = Object.entries(step)
    .filter(([k]) => k !== 'op' && k !== 'expect' && k !== 'noCompare')
    .map(([k, v]) => `${k}=${typeof v === 'string' && v.length > 20 ? `${v.slice(0, 20)}…` : JSON.stringify(v)}`)
    .join(' ');
  return `${side} step ${i} (${step.op}${args ? ` ${args}` : ''})`;
}

function inRange(value: number, want: number | [number, number]): boolean {
  return Array.isArray(want) ? value >= want[0] && value <= want[1] : value === want;
}

const show = (v: unknown) => (typeof v === 'string' && v.length > 40 ? `'${v.slice(0, 40)}…' (${v.length} bytes)` : JSON.stringify(v));

function checkStep(where: string, expect: StepExpect, r: StepResult | undefined): string[] {
  if (!r) return [`${where}: never ran`];
  const out: string[] = [];
  const ok = expect.ok ?? (expect.errno ? false : undefined);
  if (ok !== undefined && r.ok !== ok) {
    out.push(`${where}: expected ${ok ? 'success' : `failure${expect.errno ? ` ${expect.errno}` : ''}`}, got ${r.ok ? 'success' : r.errno}`);
  } else if (expect.errno && r.errno !== expect.errno) {
    out.push(`${where}: expected ${expect.errno}, got ${r.errno}`);
  }
  for (const key of ['data', 'end', 'bytes'] as const) {
    if (expect[key] !== undefined && r[key] !== expect[key]) out.push(`${where}: expected ${key} ${show(expect[key])}, got ${show(r[key])}`);
  }
  if (expect.states && JSON.stringify(r.states) !== JSON.stringify(expect.states)) {
    out.push(`${where}: expected sockets [${expect.states.join(', ')}], got [${(r.states ?? []).join(', ')}]`);
  }
  if (expect.timers && JSON.stringify(r.timers) !== JSON.stringify(expect.timers)) {
    out.push(`${where}: expected sockets with timers [${expect.timers.join(', ')}], got [${(r.timers ?? []).join(', ')}]`);
  }
  if (expect.hits !== undefined && (r.hits === undefined || !inRange(r.hits, expect.hits))) {
    out.push(`${where}: expected ${JSON.stringify(expect.hits)} dropped segments, got ${r.hits}`);
  }
  if (expect.tookMs && !inRange(r.tookMs, expect.tookMs)) {
    out.push(`${where}: expected to take ${expect.tookMs[0]}-${expect.tookMs[1]} ms, took ${r.tookMs} ms`);
  }
  return out;
}

/** Where a run departs from the scenario's expectations; empty if nowhere. */
export function checkExpectations(scenario: Scenario, obs: Observations): string[] {
  const out = [...obs.errors.map((e) => `${obs.executor}: ${e}`)];
  for (const side of SIDES) {
    scenario[side].forEach((step, i) => {
      if (step.expect) out.push(...checkStep(describeStep(side, i, step), step.expect, obs.sides[side][i]));
    });
  }
  for (const c of scenario.counts ?? []) {
    if (c.expect === undefined) continue;
    const n = countSegments(obs, c);
    if (!inRange(n, c.expect)) out.push(`${describeCount(c)}: expected ${JSON.stringify(c.expect)}, counted ${n}`);
  }
  // A recorded run keeps no segments, so it cannot be checked for gaps.
  if (!obs.recordedCounts) {
    for (const g of scenario.gaps ?? []) {
      const gaps = segmentGaps(obs, g);
      const bad = g.expect.some((range, i) => gaps[i] === undefined || !inRange(gaps[i], range));
      if (bad) out.push(`${describeGaps(g)}: expected ${g.expect.map((r) => `${r[0]}-${r[1]}`).join(', ')} ms, got ${gaps.slice(0, g.expect.length + 1).join(', ') || 'none'} ms`);
    }
  }
  return out;
}

/** The parts of a step's result that both executors must agree on. */
function comparable(r: StepResult | undefined): Record<string, unknown> | undefined {
  if (!r) return undefined;
  // `at` and `tookMs` are wall time on one side and virtual time on the other:
  // durations are checked through ranges in `expect`, never compared raw.
  const { at: _at, tookMs: _took, i: _i, ...rest } = r;
  // Key order differs between the executors' JSON; compare in one order.
  return Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

export interface Difference {
  where: string;
  kernel: unknown;
  simulator: unknown;
}

/** Every observation where the simulator and the kernel disagree. */
export function compareRuns(scenario: Scenario, kernel: Observations, sim: Observations): Difference[] {
  const out: Difference[] = [];
  for (const side of SIDES) {
    scenario[side].forEach((step, i) => {
      if (step.noCompare) return;
      const k = comparable(kernel.sides[side][i]);
      const s = comparable(sim.sides[side][i]);
      if (JSON.stringify(k) !== JSON.stringify(s)) out.push({ where: describeStep(side, i, step), kernel: k ?? 'never ran', simulator: s ?? 'never ran' });
    });
  }
  const counts: SegmentCount[] = [
    ...(scenario.counts ?? []),
    // Whether a RST or a FIN ended it is always compared.
    ...SIDES.flatMap((side) => ['F', 'R'].map((flags) => ({ side, flags }))),
  ];
  const done = new Set<string>();
  for (const c of counts) {
    const key = `${c.side}/${c.flags}/${c.rtx ?? false}`;
    if (done.has(key)) continue;
    done.add(key);
    if (c.noCompare) continue;
    const k = countSegments(kernel, c);
    const s = countSegments(sim, c);
    if (k !== s) out.push({ where: describeCount(c), kernel: k, simulator: s });
  }
  for (const id of Object.keys(kernel.drops)) {
    const undrop = SIDES.flatMap((side) => scenario[side]).find((st) => st.op === 'undrop' && st.id === id);
    if (undrop?.noCompare) continue;
    if (kernel.drops[id] !== sim.drops[id]) out.push({ where: `segments dropped by rule '${id}'`, kernel: kernel.drops[id], simulator: sim.drops[id] });
  }
  // Retransmission schedules: the simulator's gaps must fall in the ranges the kernel's do.
  for (const [index, g] of (scenario.gaps ?? []).entries()) {
    const k = (kernel.recordedGaps ? (kernel.recordedGaps[index] ?? []) : segmentGaps(kernel, g)).slice(0, g.expect.length);
    const s = segmentGaps(sim, g).slice(0, g.expect.length);
    const fits = (gaps: number[]) => g.expect.every((r, i) => gaps[i] !== undefined && inRange(gaps[i], r));
    if (fits(k) !== fits(s)) out.push({ where: describeGaps(g), kernel: k, simulator: s });
  }
  if (sim.errors.length) out.push({ where: 'simulator run', kernel: kernel.errors, simulator: sim.errors });
  return out;
}
