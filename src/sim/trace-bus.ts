// The trace bus: every trace event of a run is stamped (time, position),
// recorded, and handed to the subscribers of its kind. Building an event costs
// (addresses are formatted), so the producers first ask whether anybody reads
// that kind (trSeg, trState, trTimer, trSyscall).
import type { Errno, ProcessEvent, TcpState, TraceEvent, TraceKind } from '../../types/closing-time.d.ts';
import type { Proc } from './process.ts';
import type { Timeline } from './queue.ts';
import type { Segment } from './segment.ts';
import type { WorldOptions } from './world-types.ts';

/**
 * A segment's trace event (send, deliver or drop): one shape, made for every
 * segment while somebody reads segments. `state` is the sender's state on
 * send; `reason` says why a segment was dropped or that a delivery was a duplicate.
 */
export class SegmentEvent {
  // Declared in the order a trace event's fields print in (JSON keeps it).
  readonly kind = 'segment';
  readonly action: 'send' | 'deliver' | 'drop';
  readonly host: string;
  readonly seg: Segment;
  readonly state: TcpState | undefined;
  readonly reason: string | undefined;
  t = 0;
  n = 0;
  constructor(action: 'send' | 'deliver' | 'drop', host: string, seg: Segment, state: TcpState | undefined, reason: string | undefined) {
    this.action = action;
    this.host = host;
    this.seg = seg;
    this.state = state;
    this.reason = reason;
  }
}

type Subscriber = (e: any) => void;

export class TraceBus {
  readonly trace: TraceEvent[] = [];
  /** Events emitted (recorded or not): the next event's position. */
  traceN = 0;
  /** Somebody reads some events (recorded, or any subscriber). */
  tracing: boolean;
  /** Per kind: somebody reads these events (recorded, or subscribed to the kind or '*'). */
  trSeg = false;
  trState = false;
  trTimer = false;
  trSyscall = false;
  /** Process failures, for the run's summary. */
  readonly failed: ProcessEvent[] = [];
  private readonly record: boolean;
  private readonly maxRecorded: number;
  private readonly maxOutput: number;
  private outputBytes = 0;
  private outputCut = false;
  private subs = new Map<string, Subscriber[]>();
  /** The subscriber lists for segment events and for every event (the same arrays as in `subs`): segment events are most of a trace. */
  private segSubs: Subscriber[] | null = null;
  private anySubs: Subscriber[] | null = null;

  constructor(
    private readonly timeline: Timeline,
    private readonly opts: WorldOptions,
  ) {
    this.record = opts.record ?? true;
    this.maxRecorded = opts.maxRecorded ?? 1_000_000;
    this.maxOutput = opts.maxOutputBytes ?? 1 << 20;
    this.tracing = this.record;
    this.updateTracing();
  }

  private updateTracing(): void {
    this.trSeg = this.wants('segment');
    this.trState = this.wants('state');
    this.trTimer = this.wants('timer');
    this.trSyscall = this.wants('syscall');
  }

  /** Whether events of this kind are recorded or subscribed to (formatting them costs). */
  private wants(kind: TraceKind): boolean {
    return this.record || this.subs.has('*') || this.subs.has(kind);
  }

  on(kind: TraceKind | '*', fn: Subscriber): () => void {
    const list = this.subs.get(kind) ?? [];
    list.push(fn);
    this.subs.set(kind, list);
    if (kind === 'segment') this.segSubs = list;
    else if (kind === '*') this.anySubs = list;
    this.tracing = true;
    this.updateTracing();
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** emit() for a segment event, without looking its subscribers up. */
  emitSegment(ev: SegmentEvent): void {
    this.publish(ev, this.segSubs);
  }

  emit(ev: any): void {
    this.publish(ev, this.subs.size === 0 ? null : (this.subs.get(ev.kind) ?? null));
  }

  /** Stamps a trace event, records it, and hands it to the subscribers of its kind (`own`), then to those of '*'. */
  private publish(ev: { t: number; n: number }, own: Subscriber[] | null): void {
    ev.t = this.timeline.now;
    ev.n = this.traceN++;
    if (this.record && this.trace.length < this.maxRecorded) this.trace.push(ev as TraceEvent);
    if (own !== null) for (let i = 0; i < own.length; i++) this.callSub(own[i]!, ev);
    const any = this.anySubs;
    if (any !== null) for (let i = 0; i < any.length; i++) this.callSub(any[i]!, ev);
  }

  private callSub(f: Subscriber, ev: any): void {
    try {
      f(ev);
    } catch (e) {
      // A subscriber's bug must not break the world: report it once as a failure of the program.
      this.reportError(e, 'sim.on handler');
    }
  }

  /** A syscall event of process `p` (null: the program itself). */
  traceCall(p: Proc | null, call: string, args: string, phase: 'call' | 'return' | 'error', result?: string, errno?: Errno, fd?: number): void {
    this.emit({
      kind: 'syscall',
      host: p ? p.hostHandle.name : '',
      pid: p ? p.pid : 0,
      process: p ? p.name : 'program',
      call,
      args,
      phase,
      ...(result !== undefined ? { result } : {}),
      ...(errno ? { errno } : {}),
      ...(fd !== undefined ? { fd } : {}),
    });
  }

  /** Console output of process `p` (null: the program itself), up to the run's output limit. */
  output(p: Proc | null, stream: 'stdout' | 'stderr', text: string): void {
    if (this.outputCut) return;
    this.outputBytes += text.length;
    if (this.outputBytes > this.maxOutput) {
      this.outputCut = true;
      this.emit({
        kind: 'note',
        level: 'warn',
        text: `output limit reached (${this.maxOutput} bytes): further console output of this run is not shown`,
      });
      return;
    }
    this.emit({ kind: 'output', host: p ? p.hostHandle.name : '', pid: p ? p.pid : 0, process: p ? p.name : 'program', stream, text });
  }

  /** A failure: traced as a process event and kept for the summary. */
  fail(ev: { kind: 'process'; host: string; pid: number; process: string; action: 'fail'; error: NonNullable<ProcessEvent['error']> }): void {
    this.emit(ev);
    this.failed.push(ev as any);
  }

  reportError(error: unknown, where = 'program'): void {
    this.fail({ kind: 'process', host: '', pid: 0, process: where, action: 'fail', error: this.errorInfo(error) });
  }

  errorInfo(error: unknown): NonNullable<ProcessEvent['error']> {
    const base =
      error instanceof Error
        ? { name: error.name, message: error.message, stack: error.stack }
        : { name: 'Error', message: `a value that is not an Error was thrown: ${safeString(error)}` };
    const extra = this.opts.errorInfo ? this.opts.errorInfo(error) : {};
    return { ...base, ...extra };
  }
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  } catch {
    return '[unprintable]';
  }
}
