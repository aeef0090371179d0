// Two checks over observations: does a run show what the scenario expects
// (the documented Linux behaviour), and do the kernel and the simulator agree
// on everything the scenario does not exclude with a stated reason.
import type { Observations, Scenario, SegmentCount, Side, Step, StepExpect, StepResult } from './scenario.ts';
import { SIDES, countSegments, describeCount, describeGaps, segmentGaps } from './scenario.ts';
import { knownDifferences, type KnownDifference } from './known-differences.ts';
import { NSTAT_NAMES } from '../../src/sim/tcp/counters.ts';
import { collapseRepeats, compareSegments, describeSegmentDiff, normalizeSegments, type NormSegment, type SegmentDiff } from './segments.ts';

function describeStep(side: Side, i: number, step: Step): string {
  const args = Object.entries(step)
    .filter(([k]) => k !== 'op' && k !== 'expect' && k !== 'noCompare' && k !== 'kernelOnly' && k !== 'mark')
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
  if (expect.value !== undefined && r.value !== expect.value) out.push(`${where}: expected value ${expect.value}, got ${r.value}`);
  if (expect.oneOf && (r.value === undefined || !expect.oneOf.includes(r.value))) out.push(`${where}: expected one of ${expect.oneOf.join(', ')}, got ${r.value}`);
  if (expect.timerMs) {
    const got = r.timerMs ?? [];
    const bad =
      got.length !== expect.timerMs.length ||
      expect.timerMs.some((range, i) => (range === null ? got[i] !== null : got[i] === null || got[i] === undefined || !inRange(got[i]!, range)));
    if (bad) out.push(`${where}: expected timers ${expect.timerMs.map((x) => (x ? `${x[0]}-${x[1]}` : 'none')).join(', ')} ms left, got ${got.map((x) => x ?? 'none').join(', ')}`);
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
      if (step.kernelOnly && !obs.executor.startsWith('kernel')) return;
      if (step.expect) out.push(...checkStep(describeStep(side, i, step), step.expect, obs.sides[side][i]));
    });
  }
  for (const c of scenario.counts ?? []) {
    if (c.expect === undefined) continue;
    if (c.kernelOnly && !obs.executor.startsWith('kernel')) continue;
    const n = countSegments(obs, c);
    if (!inRange(n, c.expect)) out.push(`${describeCount(c)}: expected ${JSON.stringify(c.expect)}, counted ${n}`);
  }
  // Counters: both executors have them (a recorded kernel run keeps them too);
  // the kernel log only a live kernel run.
  if (obs.counters) {
    for (const c of scenario.counters ?? []) {
      if (c.kernelOnly && !obs.executor.startsWith('kernel')) continue;
      const n = obs.counters[c.side]?.[c.name];
      if (n === undefined) out.push(`${c.side} counter ${c.name}: not found in /proc/net/netstat or /proc/net/snmp`);
      else if (!inRange(n, c.expect)) out.push(`${c.side} counter ${c.name}: expected a change of ${JSON.stringify(c.expect)}, got ${n}`);
    }
  }
  if (scenario.kernelLog && obs.kernelLog !== undefined && obs.kernelLog !== null && obs.kernelLog !== scenario.kernelLog.expect) {
    out.push(`kernel log lines containing '${scenario.kernelLog.contains}': expected ${scenario.kernelLog.expect}, got ${obs.kernelLog}`);
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
  // Timer values left are compared within TIMER_TOLERANCE_MS (compareRuns).
  const { at: _at, tookMs: _took, i: _i, timerMs: _tm, ...rest } = r;
  // Key order differs between the executors' JSON; compare in one order.
  return Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * How far the ms left on a timer (ss -tano) may differ between the runs: ss
 * prints whole seconds above 10 s, and the kernel's steps run later than
 * the simulator's by real scheduling.
 */
export const TIMER_TOLERANCE_MS = 1500;

function timersDiffer(k: StepResult | undefined, s: StepResult | undefined): boolean {
  const a = k?.timerMs ?? [];
  const b = s?.timerMs ?? [];
  if (a.length !== b.length) return true;
  return a.some((x, i) => (x === null) !== (b[i] === null) || (x !== null && Math.abs(x - (b[i] as number)) > TIMER_TOLERANCE_MS));
}

export interface Difference {
  where: string;
  kernel: unknown;
  simulator: unknown;
  /** A segment difference (the report's segment column). */
  segment?: boolean;
  /** The index in known-differences.ts of the entry that lists it, if one does (the report carries the table once). */
  listed?: number;
}

/** The segments a run is compared by: recorded ones, or the capture normalised. */
export function comparedSegments(scenario: Scenario, obs: Observations): Record<Side, NormSegment[]> | null {
  const norm = obs.recordedSegments ?? (obs.recordedCounts ? null : normalizeSegments(obs.segments));
  if (!norm || !scenario.segmentRepeats) return norm;
  return { client: collapseRepeats(norm.client), server: collapseRepeats(norm.server) };
}

function listing(scenario: Scenario, side: Side, test: (k: KnownDifference) => boolean): KnownDifference | undefined {
  return knownDifferences.find((k) => (k.scenarios === 'all' || k.scenarios.includes(scenario.id)) && (k.side === 'both' || k.side === side) && test(k));
}

function segmentListing(scenario: Scenario, d: SegmentDiff): KnownDifference | undefined {
  return listing(scenario, d.side, (k) => {
    if (!k.kinds?.includes(d.kind)) return false;
    if (!k.onlyIn) return true;
    return k.onlyIn === 'kernel' ? d.simulator === null : d.kernel === null;
  });
}

/** The known-differences entry that lists a step or count difference (its `where` starts with the entry's). */
function whereListing(scenario: Scenario, where: string): KnownDifference | undefined {
  const side = where.startsWith('server') || where.includes('sent by the server') ? 'server' : 'client';
  return listing(scenario, side, (k) => k.where !== undefined && where.startsWith(k.where));
}

const reason = (k: KnownDifference | undefined) => (k ? { listed: knownDifferences.indexOf(k) } : {});

/** The differences no entry of known-differences.ts lists: each fails the suite. */
export function unlisted(diffs: Difference[]): Difference[] {
  return diffs.filter((d) => d.listed === undefined);
}

/** Entries of known-differences.ts for this scenario that match none of its differences. */
export function staleListings(scenario: Scenario, diffs: Difference[]): string[] {
  return knownDifferences
    .filter((k) => k.scenarios !== 'all' && k.scenarios.includes(scenario.id) && !k.timing)
    .filter((k) => !diffs.some((d) => d.listed === knownDifferences.indexOf(k)))
    .map((k) => `${scenario.id} (${k.side}): ${k.where ?? k.kinds?.join('/')}: ${k.what.slice(0, 80)}`);
}

/** Every observation where the simulator and the kernel disagree. */
export function compareRuns(scenario: Scenario, kernel: Observations, sim: Observations): Difference[] {
  const out: Difference[] = [];
  for (const side of SIDES) {
    scenario[side].forEach((step, i) => {
      if (step.noCompare) return;
      const k = comparable(kernel.sides[side][i]);
      const s = comparable(sim.sides[side][i]);
      const where = describeStep(side, i, step);
      if (JSON.stringify(k) !== JSON.stringify(s)) {
        out.push({ where, kernel: k ?? 'never ran', simulator: s ?? 'never ran', ...reason(whereListing(scenario, where)) });
      } else if (timersDiffer(kernel.sides[side][i], sim.sides[side][i])) {
        const w = `${where}: timer values left (±${TIMER_TOLERANCE_MS} ms)`;
        out.push({ where: w, kernel: kernel.sides[side][i]?.timerMs, simulator: sim.sides[side][i]?.timerMs, ...reason(whereListing(scenario, w)) });
      }
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
    if (k !== s) out.push({ where: describeCount(c), kernel: k, simulator: s, ...reason(whereListing(scenario, describeCount(c))) });
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
  // Segment by segment, per side and connection, in order (segments.ts).
  const ks = comparedSegments(scenario, kernel);
  const ms = comparedSegments(scenario, sim);
  if (!ks || !ms) {
    out.push({ where: 'segments', kernel: ks ? 'captured' : 'the recorded kernel run keeps no segments: run the kernel suite to refresh it', simulator: 'captured', segment: true });
  } else {
    for (const d of compareSegments(ks, ms)) {
      out.push({ where: describeSegmentDiff(d), kernel: d.kernel ?? 'none', simulator: d.simulator ?? 'none', segment: true, ...reason(segmentListing(scenario, d)) });
    }
  }
  // Every counter nstat shows that the course teaches, per side: the kernel's change over the scenario and the simulator's.
  if (kernel.counters) {
    for (const side of SIDES) {
      for (const name of NSTAT_NAMES) {
        const k = kernel.counters[side]?.[name] ?? 0;
        const s = sim.counters?.[side]?.[name] ?? 0;
        const where = `${side} counter ${name}`;
        if (k !== s) out.push({ where, kernel: k, simulator: s, ...reason(whereListing(scenario, where)) });
      }
    }
  }
  if (sim.errors.length) out.push({ where: 'simulator run', kernel: kernel.errors, simulator: sim.errors });
  return out;
}
