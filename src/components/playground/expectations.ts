// What a lesson's playground must show in its trace. Lessons declare these as
// a prop; the page ticks them off while the trace streams in ("What to look
// for"), and the end-to-end and lesson tests assert every one of them.
import type { Errno, SsState, TcpState, TraceEvent } from '../../../types/closing-time.d.ts';
import { t, type Locale } from '../../i18n/index.ts';

export type Expectation =
  /** A socket on `host` moves to `to` (optionally from `from`). */
  | { kind: 'state'; host: string; to: TcpState; from?: TcpState; label?: string }
  /** No socket on `host` ever reaches `to`. Decided at the end of the run. */
  | { kind: 'no-state'; host: string; to: TcpState; label?: string }
  /** `host` sends a segment whose tcpdump flags are exactly `flags` ('F.', 'R.', 'S' ...). */
  | { kind: 'segment'; host: string; flags: string; dropped?: boolean; retransmission?: boolean; label?: string }
  /** A call on `host` fails with `errno` (optionally only this call). */
  | { kind: 'errno'; host: string; errno: Errno; call?: string; label?: string }
  /** A process on `host` (any host if left out) prints text containing `text`. */
  | { kind: 'output'; text: string; host?: string; label?: string }
  /** A timer of this name fires on `host`. */
  | { kind: 'timer'; host: string; timer: 'retransmit' | 'time-wait' | 'fin-wait-2' | 'persist' | 'linger' | 'syn-ack'; label?: string };

export interface ExpectationResult {
  label: string;
  met: boolean;
  /** Trace position that satisfied it (for positive expectations). */
  at?: number;
}

/** The sentence the page shows for an expectation (a lesson's own label, or one made in the page's language). */
export function describeExpectation(e: Expectation, locale: Locale = 'en'): string {
  if (e.label) return e.label;
  switch (e.kind) {
    case 'state':
      return e.from ? t(locale, 'expect.stateFrom', { host: e.host, from: e.from, to: e.to }) : t(locale, 'expect.state', { host: e.host, to: e.to });
    case 'no-state':
      return t(locale, 'expect.noState', { host: e.host, to: e.to });
    case 'segment': {
      const key = e.retransmission ? (e.dropped ? 'expect.segmentRetxLost' : 'expect.segmentRetx') : e.dropped ? 'expect.segmentLost' : 'expect.segment';
      return t(locale, key, { host: e.host, flags: e.flags });
    }
    case 'errno':
      return e.call ? t(locale, 'expect.errnoCall', { call: e.call, host: e.host, errno: e.errno }) : t(locale, 'expect.errno', { host: e.host, errno: e.errno });
    case 'output':
      return e.host ? t(locale, 'expect.outputHost', { host: e.host, text: e.text }) : t(locale, 'expect.output', { text: e.text });
    case 'timer':
      return t(locale, 'expect.timer', { timer: e.timer, host: e.host });
  }
}

/** Does this one event satisfy a positive expectation? */
export function eventMeets(e: Expectation, ev: TraceEvent): boolean {
  switch (e.kind) {
    case 'state':
      return ev.kind === 'state' && ev.host === e.host && ev.to === e.to && (!e.from || ev.from === e.from);
    case 'segment':
      if (ev.kind !== 'segment' || ev.seg.src.host !== e.host) return false;
      if (ev.seg.flags !== e.flags) return false;
      if (e.retransmission !== undefined && ev.seg.retransmission !== e.retransmission) return false;
      return e.dropped ? ev.action === 'drop' : ev.action === 'send';
    case 'errno':
      return ev.kind === 'syscall' && ev.host === e.host && ev.phase === 'error' && ev.errno === e.errno && (!e.call || ev.call === e.call);
    case 'output':
      return ev.kind === 'output' && (!e.host || ev.host === e.host) && ev.text.includes(e.text);
    case 'timer':
      return ev.kind === 'timer' && ev.host === e.host && ev.timer === e.timer && ev.action === 'fire';
    case 'no-state':
      return ev.kind === 'state' && ev.host === e.host && ev.to === e.to;
  }
}

/**
 * Tracks expectations over a streaming trace. Positive ones are met by the
 * first matching event; 'no-state' ones are violated by a matching event and
 * met only once the run is over without one.
 */
export class ExpectationTracker {
  readonly results: ExpectationResult[];
  private finished = false;

  constructor(readonly expectations: readonly Expectation[], locale: Locale = 'en') {
    this.results = expectations.map((e) => ({ label: describeExpectation(e, locale), met: false }));
  }

  /** Feeds events; returns the indexes whose result changed. */
  feed(events: readonly TraceEvent[]): number[] {
    const changed: number[] = [];
    this.expectations.forEach((e, i) => {
      const r = this.results[i]!;
      if (e.kind === 'no-state') {
        if (r.at === undefined) {
          const hit = events.find((ev) => eventMeets(e, ev));
          if (hit) {
            r.at = hit.n;
            r.met = false;
            changed.push(i);
          }
        }
        return;
      }
      if (r.met) return;
      const hit = events.find((ev) => eventMeets(e, ev));
      if (hit) {
        r.met = true;
        r.at = hit.n;
        changed.push(i);
      }
    });
    return changed;
  }

  /** The run is over: absence expectations that were never violated are met. */
  finish(): number[] {
    if (this.finished) return [];
    this.finished = true;
    const changed: number[] = [];
    this.expectations.forEach((e, i) => {
      const r = this.results[i]!;
      if (e.kind === 'no-state' && r.at === undefined) {
        r.met = true;
        changed.push(i);
      }
    });
    return changed;
  }

  get allMet(): boolean {
    return this.results.every((r) => r.met);
  }
}

/** Checks a complete trace at once (tests and the CLI use this). */
export function checkExpectations(events: readonly TraceEvent[], expectations: readonly Expectation[]): ExpectationResult[] {
  const t = new ExpectationTracker(expectations);
  t.feed(events);
  t.finish();
  return t.results;
}

const KINDS = new Set(['state', 'no-state', 'segment', 'errno', 'output', 'timer']);

/** Validates expectations written in a lesson, with a message that names the bad one. */
export function parseExpectations(value: unknown, where: string): Expectation[] {
  if (!Array.isArray(value)) throw new Error(`${where}: "expect" must be an array of expectations`);
  value.forEach((e, i) => {
    if (!e || typeof e !== 'object' || !KINDS.has((e as { kind?: string }).kind ?? '')) {
      throw new Error(`${where}: expectation ${i + 1} needs a kind, one of ${[...KINDS].join(', ')}`);
    }
    const x = e as Record<string, unknown>;
    const need = (k: string) => {
      if (typeof x[k] !== 'string' || !x[k]) throw new Error(`${where}: expectation ${i + 1} (${x.kind}) needs "${k}"`);
    };
    if (x.kind !== 'output') need('host');
    if (x.kind === 'state' || x.kind === 'no-state') need('to');
    if (x.kind === 'segment') need('flags');
    if (x.kind === 'errno') need('errno');
    if (x.kind === 'output') need('text');
    if (x.kind === 'timer') need('timer');
  });
  return value as Expectation[];
}

export type { SsState };
