// The readers' report (content/conformance/report.json, rendered by
// src/pages/conformance.astro): per scenario, what was compared, what the
// kernel did, and whether the simulator matched. It also keeps the kernel's
// comparable observations, so machines that cannot run the kernel side
// (not root, no namespaces) still compare the simulator with a real run.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Difference } from './compare.ts';
import type { Observations, Scenario, Side, Step, StepResult } from './scenario.ts';
import { SIDES, countSegments, describeCount, describeGaps, segmentGaps } from './scenario.ts';
import { comparedSegments } from './compare.ts';
import type { NormSegment } from './segments.ts';
import type { KnownDifference } from './known-differences.ts';
import { NSTAT_NAMES } from '../../src/sim/tcp/counters.ts';

export const REPORT_PATH = fileURLToPath(new URL('../../content/conformance/report.json', import.meta.url));

export interface ScenarioReport {
  id: string;
  title: string;
  teaches: string;
  sysctls: Partial<Record<Side, Record<string, string | number>>>;
  /** Human-readable list of the observations compared. */
  compared: string[];
  /** Excluded from the kernel/simulator comparison, with the reason. */
  excluded: string[];
  deliberate: string[];
  /** runs: how many kernel runs it took (a run that shows less than the course says, or an unlisted difference, is repeated; the best counts). */
  kernel: { status: 'as-documented' | 'differs-from-documentation' | 'failed'; issues: string[]; runs?: number };
  /** matched: no difference; listed: every difference is in known-differences.ts; differs: some is not. */
  simulator: { status: 'matched' | 'listed' | 'differs' | 'not-run'; differences: Difference[] };
  /** The segment column: the verdict on the segments, and the simulator's when they differ (encodeSegments; the kernel's are in `observations`). */
  segments?: { status: 'matched' | 'listed' | 'differs'; simulator?: Record<Side, string[]> };
  /** The kernel's observations, as the comparison sees them. */
  observations?: RecordedObservations;
}

/** Identifies a scenario's content, so a recorded run of an older version is never compared. */
export function fingerprint(scenario: Scenario): string {
  return createHash('sha256').update(JSON.stringify(scenario)).digest('hex').slice(0, 16);
}

export interface RecordedObservations {
  /** fingerprint() of the scenario that was run. */
  scenario: string;
  sides: Record<Side, Omit<StepResult, 'at' | 'tookMs'>[]>;
  tookMs: Record<Side, number[]>;
  counts: { side: Side; flags: string; rtx: boolean; n: number }[];
  gaps: number[][];
  drops: Record<string, number>;
  /** The kernel's segments, normalised (segments.ts), one encodeSegments() string each. */
  segments?: Record<Side, string[]>;
  /** Kernel counters that moved during the scenario, per side (nstat names); the simulator's are compared with them. */
  counters?: Record<Side, Record<string, number>>;
  /** Kernel log lines matching the scenario's kernelLog (null: dmesg unreadable). */
  kernelLog?: number | null;
}

/** One segment as one short string: conn|flags|seq|ack|len|rtx|t (a report stays readable in a diff). */
export function encodeSegments(list: NormSegment[]): string[] {
  return list.map((s) => [s.conn, s.flags, s.seq, s.ack ?? '', s.len, s.rtx ? 1 : 0, Math.round(s.t * 10) / 10].join('|'));
}

export function decodeSegments(list: string[]): NormSegment[] {
  return list.map((line) => {
    const [conn, flags, seq, ack, len, rtx, t] = line.split('|');
    return { conn: Number(conn), flags, seq: Number(seq), ack: ack === '' ? null : Number(ack), len: Number(len), rtx: rtx === '1', t: Number(t) };
  });
}

/** Both sides' segments of a run as compared, encoded. */
export function encodedSegments(scenario: Scenario, obs: Observations): Record<Side, string[]> {
  const norm = comparedSegments({ ...scenario, segmentRepeats: undefined }, obs) ?? { client: [], server: [] };
  return { client: encodeSegments(norm.client), server: encodeSegments(norm.server) };
}

export interface Report {
  generatedAt: string;
  /** known-differences.ts as it was for this run; a difference's `listed` indexes it. */
  knownDifferences: KnownDifference[];
  kernel: string;
  host: string;
  durationMs: number;
  summary: {
    scenarios: number;
    kernelAsDocumented: number;
    simulatorMatched: number;
    /** Scenarios whose every difference is listed in known-differences.ts. */
    simulatorListed: number;
    simulatorDiffers: number;
    simulatorNotRun: number;
  };
  scenarios: ScenarioReport[];
}

function describe(step: Step): string | null {
  const e = step.expect;
  if (!e) return null;
  const target = 'sock' in step ? `(${step.sock}${step.op === 'connect' || step.op === 'bind' ? `, port ${step.port ?? 0}` : ''})` : '';
  let outcome: string;
  if (e.states) outcome = e.states.length ? e.states.join(', ') : 'no sockets';
  else if (e.timers) outcome = e.timers.length ? e.timers.join(', ') : 'no sockets';
  else if (e.errno) outcome = e.errno;
  else if (e.end) outcome = `${e.data === '' ? 'no data' : `${e.data?.length} bytes`}, then ${e.end === 'eof' ? 'EOF' : e.end}`;
  else if (e.data !== undefined) outcome = e.data === '' ? "'' (EOF)" : `'${e.data}'`;
  else if (e.bytes !== undefined) outcome = `${e.bytes} bytes`;
  else if (e.hits !== undefined) outcome = `${Array.isArray(e.hits) ? e.hits.join('-') : e.hits} segments dropped`;
  else outcome = e.ok === false ? 'fails' : 'succeeds';
  if (e.tookMs) outcome += ` after ${e.tookMs[0]}-${e.tookMs[1]} ms`;
  if (e.value !== undefined) outcome = `${e.value}`;
  if (e.timerMs) outcome += ` with ${e.timerMs.map((r) => (r ? `${r[0]}-${r[1]}` : 'none')).join(', ')} ms left`;
  const name = step.op === 'ss' ? (step.timers || step.values ? 'ss -tano' : 'ss -tan') : step.op === 'getsockopt' ? `getsockopt ${step.opt}` : step.op;
  return `${name}${target} → ${outcome}`;
}

export function comparedList(scenario: Scenario): { compared: string[]; excluded: string[] } {
  const compared: string[] = [];
  const excluded: string[] = [];
  for (const side of SIDES) {
    for (const step of scenario[side]) {
      const text = describe(step);
      if (step.kernelOnly) excluded.push(`${side}: ${text ?? step.op}: checked on Linux only: ${step.kernelOnly}`);
      if (step.noCompare) excluded.push(`${side}: ${step.op === 'ss' ? 'ss -tan' : step.op}: ${step.noCompare}`);
      else if (text) compared.push(`${side}: ${text}`);
    }
  }
  for (const c of scenario.counts ?? []) {
    const want = c.expect === undefined ? '' : `: ${Array.isArray(c.expect) ? c.expect.join('-') : c.expect}`;
    if (c.noCompare) excluded.push(`${describeCount(c)}: ${c.noCompare}`);
    else compared.push(`${describeCount(c)}${want}`);
  }
  for (const c of scenario.counters ?? []) {
    const want = Array.isArray(c.expect) ? c.expect.join('-') : c.expect;
    if (c.kernelOnly) excluded.push(`${c.side} counter ${c.name} changes by ${want} on Linux: checked on Linux only: ${c.kernelOnly}`);
    else compared.push(`${c.side} counter ${c.name} changes by ${want}`);
  }
  if (scenario.kernelLog) excluded.push(`kernel log lines containing '${scenario.kernelLog.contains}': ${scenario.kernelLog.expect} on Linux (kernel only)`);
  if (scenario.segmentRepeats) excluded.push(`segments: consecutive copies of a segment count as one: ${scenario.segmentRepeats}`);
  for (const g of scenario.gaps ?? []) {
    compared.push(`${describeGaps(g)}: ${g.expect.map((r) => `${r[0]}-${r[1]}`).join(', ')} ms`);
  }
  return { compared, excluded };
}

export function recordObservations(scenario: Scenario, obs: Observations): RecordedObservations {
  const strip = (r: StepResult) => {
    const { at: _a, tookMs: _t, ...rest } = r;
    return rest;
  };
  const counts = [...(scenario.counts ?? []), ...SIDES.flatMap((side) => ['F', 'R'].map((flags) => ({ side, flags })))];
  return {
    scenario: fingerprint(scenario),
    sides: { client: obs.sides.client.map(strip), server: obs.sides.server.map(strip) },
    tookMs: { client: obs.sides.client.map((r) => r.tookMs), server: obs.sides.server.map((r) => r.tookMs) },
    counts: counts.map((c) => ({ side: c.side, flags: c.flags, rtx: 'rtx' in c ? Boolean(c.rtx) : false, n: countSegments(obs, c) })),
    gaps: (scenario.gaps ?? []).map((g) => segmentGaps(obs, g)),
    drops: obs.drops,
    segments: encodedSegments(scenario, obs),
    ...(obs.counters ? { counters: movedCounters(obs.counters) } : {}),
    ...(obs.kernelLog !== undefined ? { kernelLog: obs.kernelLog } : {}),
  };
}

function movedCounters(counters: Record<Side, Record<string, number>>): Record<Side, Record<string, number>> {
  const moved = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0));
  return { client: moved(counters.client ?? {}), server: moved(counters.server ?? {}) };
}

/** Rebuilds kernel observations from the report, for comparing a simulator run without root. */
export function recordedAsObservations(rec: RecordedObservations, kernel: string): Observations {
  const sides = {} as Observations['sides'];
  for (const side of SIDES) sides[side] = rec.sides[side].map((r, i) => ({ ...r, at: 0, tookMs: rec.tookMs[side][i] ?? 0 }));
  return {
    id: '',
    executor: `kernel ${kernel} (recorded)`,
    sides,
    segments: { client: [], server: [] },
    recordedCounts: rec.counts,
    recordedGaps: rec.gaps,
    ...(rec.segments ? { recordedSegments: { client: decodeSegments(rec.segments.client), server: decodeSegments(rec.segments.server) } } : {}),
    drops: rec.drops,
    ...(rec.counters ? { counters: allCounters(rec.counters) } : {}),
    errors: [],
  };
}

/** The report keeps the counters that moved; the others moved by 0. */
function allCounters(moved: Record<Side, Record<string, number>>): Record<Side, Record<string, number>> {
  const all = (c: Record<string, number> = {}) => Object.fromEntries(NSTAT_NAMES.map((n) => [n, c[n] ?? 0]));
  return { client: all(moved.client), server: all(moved.server) };
}

export function readReport(): Report | null {
  try {
    return JSON.parse(readFileSync(REPORT_PATH, 'utf8')) as Report;
  } catch {
    return null;
  }
}

export function writeReport(report: Report): void {
  mkdirSync(dirname(REPORT_PATH), { recursive: true });
  writeFileSync(REPORT_PATH, `${JSON.stringify(report, null, 2)}\n`);
}
