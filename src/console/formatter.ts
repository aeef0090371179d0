// Turning a stream of trace events into lines. `createFormatter` keeps the state
// a reader of a live trace needs: each direction's ISN for relative sequence
// numbers, blocking syscalls awaiting their result, segments already delivered
// (so a second copy is marked a duplicate), and which events to show.
import type { SegmentEvent, TraceEvent, TraceKind } from '../../types/closing-time.d.ts';
import {
  formatNoteLine,
  formatOutputLines,
  formatProcessLine,
  formatStateLine,
  formatSyscallLine,
  formatTimerLine,
} from './event-lines.ts';
import { resolveFormatOptions, type FormatOptions, type ResolvedFormatOptions } from './options.ts';
import { formatSegmentLine } from './segment-line.ts';
import { SeqTracker, type SeqView } from './seq-tracker.ts';

export interface TraceFormatterOptions extends FormatOptions {
  /** Show segment arrivals too (default false: a segment is shown when sent, dropped, or delivered twice). */
  deliveries?: boolean;
  /**
   * Timer events: 'all'; 'notable' (default: every firing, and the setting of the
   * long timers a lesson talks about: time-wait, fin-wait-2, linger); 'none'.
   */
  timers?: 'all' | 'notable' | 'none';
  /** Show syscalls. Default true. */
  syscalls?: boolean;
  /** Show process start and exit (failures always show). Default true. */
  processes?: boolean;
  /** Only events of these kinds. */
  kinds?: readonly TraceKind[];
  /** Only events that involve one of these hosts (the console's `filter HOST`). */
  hosts?: readonly string[];
}

export interface TraceFormatter {
  /** The event's line(s), or null when the options hide it. */
  format(event: TraceEvent): string | null;
  /** Forgets ISNs and pending calls (a new run). */
  reset(): void;
}

const LONG_TIMERS = new Set(['time-wait', 'fin-wait-2', 'linger']);

function validEvent(event: unknown): event is TraceEvent {
  return typeof event === 'object' && event !== null && typeof (event as { kind?: unknown }).kind === 'string' && typeof (event as { t?: unknown }).t === 'number';
}

function involves(event: TraceEvent, hosts: readonly string[]): boolean {
  if (event.kind === 'segment') return hosts.includes(event.seg.src.host) || hosts.includes(event.seg.dst.host);
  if (event.kind === 'note') return event.host === undefined || hosts.includes(event.host);
  return hosts.includes(event.host);
}

interface LineState {
  resumed: boolean;
  duplicate: boolean;
  numbers: SeqView | null;
}

function formatWith(event: TraceEvent, options: ResolvedFormatOptions, state: LineState): string {
  switch (event.kind) {
    case 'segment': {
      const numbers = state.numbers ?? { seq: event.seg.seq, ack: event.seg.ack, relative: false };
      return formatSegmentLine(event, numbers, options, state.duplicate);
    }
    case 'state':
      return formatStateLine(event, options);
    case 'timer':
      return formatTimerLine(event, options);
    case 'syscall':
      return formatSyscallLine(event, options, state.resumed);
    case 'output':
      return formatOutputLines(event, options);
    case 'process':
      return formatProcessLine(event, options);
    case 'note':
      return formatNoteLine(event, options);
    default:
      return `${(event as { t: number }).t} unknown trace event kind '${String((event as { kind: unknown }).kind)}'`;
  }
}

/**
 * One event as a line, without memory of earlier events: sequence numbers are
 * absolute and a blocking call's end is printed in full. Use createFormatter for
 * a stream.
 */
export function formatEvent(event: TraceEvent, options: FormatOptions = {}): string {
  if (!validEvent(event)) throw new TypeError(`formatEvent expects a trace event ({ kind, t, ... }), got ${event === null ? 'null' : typeof event}`);
  return formatWith(event, resolveFormatOptions(options), { resumed: false, duplicate: false, numbers: null });
}

/** A segment event as a tcpdump line; pass a SeqTracker for relative numbers. */
export function formatSegment(event: SegmentEvent, options: FormatOptions = {}, tracker?: SeqTracker): string {
  if (!validEvent(event) || event.kind !== 'segment') throw new TypeError('formatSegment expects a segment trace event');
  const resolved = resolveFormatOptions(options);
  const numbers = tracker && !resolved.absoluteSeq ? tracker.view(event.seg) : { seq: event.seg.seq, ack: event.seg.ack, relative: false };
  return formatSegmentLine(event, numbers, resolved);
}

/** A formatter for a live trace (the CLI, the site's console). */
export function createFormatter(options: TraceFormatterOptions = {}): TraceFormatter {
  const resolved = resolveFormatOptions(options);
  const tracker = new SeqTracker();
  const pendingCalls = new Map<string, string>();
  const delivered = new Set<number>();
  const timers = options.timers ?? 'notable';
  const kinds = options.kinds ? new Set(options.kinds) : null;
  return {
    format(event) {
      if (!validEvent(event)) throw new TypeError('format expects a trace event ({ kind, t, ... })');
      const state: LineState = { resumed: false, duplicate: false, numbers: null };
      if (event.kind === 'segment') {
        // Learn ISNs from every copy, shown or not, so later lines stay relative.
        if (event.action === 'deliver') {
          state.duplicate = delivered.has(event.seg.id);
          delivered.add(event.seg.id);
        }
        if (!resolved.absoluteSeq) state.numbers = tracker.view(event.seg);
      }
      if (event.kind === 'syscall') {
        const key = `${event.host}/${event.pid}/${event.call}`;
        if (event.phase === 'call') pendingCalls.set(key, event.call);
        else state.resumed = pendingCalls.delete(key);
      }
      if (kinds && !kinds.has(event.kind)) return null;
      if (options.hosts && options.hosts.length && !involves(event, options.hosts)) return null;
      switch (event.kind) {
        case 'segment':
          if (event.action === 'deliver' && !options.deliveries && !state.duplicate && event.reason !== 'duplicate') return null;
          break;
        case 'timer':
          if (timers === 'none') return null;
          if (timers === 'notable' && !(event.action === 'fire' || (event.action === 'set' && LONG_TIMERS.has(event.timer)))) return null;
          break;
        case 'syscall':
          if (options.syscalls === false) return null;
          break;
        case 'process':
          if (options.processes === false && event.action !== 'fail') return null;
          break;
      }
      return formatWith(event, resolved, state);
    },
    reset() {
      tracker.reset();
      pendingCalls.clear();
      delivered.clear();
    },
  };
}
