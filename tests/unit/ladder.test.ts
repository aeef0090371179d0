// The ladder diagram model: built from hand-made traces of the closes the
// lessons teach, so each test names the picture it must draw.
import { describe, expect, it } from 'vitest';
import type { SegmentEvent, SegmentInfo, StateEvent, TcpState, TimerEvent, TraceEvent } from '../../types/closing-time.d.ts';
import { buildLadder, scrubSteps } from '../../src/components/ladder/model.ts';
import { renderLadderSvg } from '../../src/components/ladder/render.ts';
import { ladderWords } from '../../src/components/ladder/words.ts';

const C = { host: 'client', ip: '10.0.0.1', port: 40000 };
const S = { host: 'server', ip: '10.0.0.2', port: 80 };

class TraceBuilder {
  events: TraceEvent[] = [];
  private n = 0;
  private segId = 0;
  seg(t: number, from: 'client' | 'server', flags: string, seq: number, ack: number, opts: Partial<SegmentInfo> = {}): SegmentInfo {
    const [src, dst] = from === 'client' ? [C, S] : [S, C];
    return {
      id: ++this.segId,
      src,
      dst,
      seq,
      ack,
      flags,
      syn: flags.includes('S'),
      fin: flags.includes('F'),
      rst: flags.includes('R'),
      ackFlag: flags.includes('.'),
      win: 65535,
      len: opts.data?.length ?? 0,
      data: '',
      retransmission: false,
      ...opts,
    };
  }
  send(t: number, seg: SegmentInfo): this {
    this.events.push({ kind: 'segment', action: 'send', t, n: this.n++, host: seg.src.host, seg } as SegmentEvent);
    return this;
  }
  deliver(t: number, seg: SegmentInfo): this {
    this.events.push({ kind: 'segment', action: 'deliver', t, n: this.n++, host: seg.dst.host, seg } as SegmentEvent);
    return this;
  }
  drop(t: number, seg: SegmentInfo): this {
    this.events.push({ kind: 'segment', action: 'drop', t, n: this.n++, host: seg.dst.host, seg, reason: 'fault' } as SegmentEvent);
    return this;
  }
  state(t: number, host: string, from: TcpState, to: TcpState, sockId = host === 'client' ? 1 : 2): this {
    const sock = { host, id: sockId, local: '', remote: '' };
    this.events.push({ kind: 'state', t, n: this.n++, host, sock, from, to, cause: 'test' } as StateEvent);
    return this;
  }
  timer(t: number, host: string, action: 'set' | 'fire', at?: number): this {
    const sock = { host, id: host === 'client' ? 1 : 2, local: '', remote: '' };
    this.events.push({ kind: 'timer', t, n: this.n++, host, sock, timer: 'time-wait', action, at } as TimerEvent);
    return this;
  }
}

/** Four-way close, client first, 10 ms links; the last ACK optionally lost. */
function fourWayClose(loseLastAck: boolean) {
  const b = new TraceBuilder();
  const fin1 = b.seg(0, 'client', 'F.', 1001, 5001);
  b.state(0, 'client', 'ESTABLISHED', 'FIN_WAIT_1').send(0, fin1).deliver(10, fin1);
  const ack1 = b.seg(10, 'server', '.', 5001, 1002);
  b.state(10, 'server', 'ESTABLISHED', 'CLOSE_WAIT').send(10, ack1).deliver(20, ack1).state(20, 'client', 'FIN_WAIT_1', 'FIN_WAIT_2');
  const fin2 = b.seg(30, 'server', 'F.', 5001, 1002);
  b.state(30, 'server', 'CLOSE_WAIT', 'LAST_ACK').send(30, fin2).deliver(40, fin2);
  const last = b.seg(40, 'client', '.', 1002, 5002);
  b.state(40, 'client', 'FIN_WAIT_2', 'TIME_WAIT').timer(40, 'client', 'set', 60_040).send(40, last);
  if (loseLastAck) b.drop(50, last);
  else b.deliver(50, last).state(50, 'server', 'LAST_ACK', 'CLOSED');
  b.timer(60_040, 'client', 'fire').state(60_040, 'client', 'TIME_WAIT', 'CLOSED');
  return b.events;
}

describe('ladder model', () => {
  it('draws one vertical line per host, in order of appearance', () => {
    const m = buildLadder(fourWayClose(false));
    expect(m.hosts.map((h) => h.name)).toEqual(['client', 'server']);
    expect(m.hosts[1]!.x).toBeGreaterThan(m.hosts[0]!.x);
  });

  it('draws each segment as an arrow sloping down from sender to receiver', () => {
    const m = buildLadder(fourWayClose(false));
    expect(m.arrows).toHaveLength(4);
    const [fin1, ack1] = m.arrows;
    expect(fin1!.x1).toBeLessThan(fin1!.x2);
    expect(fin1!.y2).toBeGreaterThan(fin1!.y1);
    expect(ack1!.x1).toBeGreaterThan(ack1!.x2);
    expect(m.arrows.map((a) => a.kind)).toEqual(['fin', 'ack', 'fin', 'ack']);
    expect(m.arrows.every((a) => !a.lost && !a.inFlight)).toBe(true);
  });

  it('labels arrows with flags and sequence numbers relative to nothing when no SYN was seen', () => {
    const m = buildLadder(fourWayClose(false));
    expect(m.arrows[0]!.label).toBe('F. seq 1001 ack 5001');
  });

  it('labels with relative numbers after a handshake, as tcpdump does', () => {
    const b = new TraceBuilder();
    const syn = b.seg(0, 'client', 'S', 1000, 0);
    const synack = b.seg(10, 'server', 'S.', 7000, 1001);
    const ack = b.seg(20, 'client', '.', 1001, 7001);
    b.send(0, syn).deliver(10, syn).send(10, synack).deliver(20, synack).send(20, ack).deliver(30, ack);
    const m = buildLadder(b.events);
    expect(m.arrows.map((a) => a.label)).toEqual(['S seq 0', 'S. seq 0 ack 1', '. seq 1 ack 1']);
  });

  it('ends a lost segment part-way with a cross, not at the receiver', () => {
    const m = buildLadder(fourWayClose(true));
    const last = m.arrows[3]!;
    expect(last.lost).toBe(true);
    expect(last.x2).toBeLessThan(m.hosts[1]!.x);
    expect(last.x2).toBeGreaterThan(m.hosts[0]!.x);
    const svg = renderLadderSvg(m);
    expect(svg).toContain('lad-arrow--lost');
    expect(svg).toContain('class="lad-cross"');
  });

  it('writes state names along the host lines, at the time they happen', () => {
    const m = buildLadder(fourWayClose(false));
    expect(m.states.filter((s) => s.host === 'client').map((s) => s.state)).toEqual(['FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']);
    expect(m.states.filter((s) => s.host === 'server').map((s) => s.state)).toEqual(['CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    const ys = m.states.map((s) => s.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });

  it('draws the TIME_WAIT timer as a bar with its real length, and breaks the long quiet stretch', () => {
    const m = buildLadder(fourWayClose(false));
    expect(m.timers).toHaveLength(1);
    const bar = m.timers[0]!;
    expect(bar.host).toBe('client');
    expect(bar.open).toBe(false);
    expect(bar.label).toBe('TIME_WAIT 60 s');
    expect(bar.y2).toBeGreaterThan(bar.y1);
    expect(m.breaks).toHaveLength(1);
    expect(m.breaks[0]!.label).toBe('60 s later');
    // The minute is drawn as a break, not to scale: the picture stays short.
    expect(m.height).toBeLessThan(800);
  });

  it('leaves a TIME_WAIT bar open when the trace ends first, naming when it is due', () => {
    const events = fourWayClose(false).filter((e) => e.t < 60_000);
    const m = buildLadder(events);
    expect(m.timers[0]!.open).toBe(true);
    expect(m.timers[0]!.label).toBe('TIME_WAIT until 60 s');
  });

  it('places simultaneous events one below the other, never on top of each other', () => {
    const b = new TraceBuilder();
    const f1 = b.seg(0, 'client', 'F.', 1, 1);
    const f2 = b.seg(0, 'server', 'F.', 1, 1);
    b.state(0, 'client', 'ESTABLISHED', 'FIN_WAIT_1').send(0, f1).state(0, 'server', 'ESTABLISHED', 'FIN_WAIT_1').send(0, f2);
    b.deliver(10, f1).deliver(10, f2).state(10, 'server', 'FIN_WAIT_1', 'CLOSING').state(10, 'client', 'FIN_WAIT_1', 'CLOSING');
    const m = buildLadder(b.events);
    const ys = [...m.arrows.map((a) => a.y1), ...m.states.map((s) => s.y)];
    expect(new Set(ys).size).toBe(ys.length);
    expect(m.arrows[0]!.y1).toBeLessThan(m.arrows[1]!.y1);
  });

  it('draws a duplicated segment a second time, marked as a duplicate', () => {
    const b = new TraceBuilder();
    const d = b.seg(0, 'client', 'P.', 1, 1, { data: 'hello' } as Partial<SegmentInfo>);
    b.send(0, d).deliver(10, d).deliver(400, d);
    const m = buildLadder(b.events);
    expect(m.arrows).toHaveLength(2);
    expect(m.arrows[1]!.duplicate).toBe(true);
    expect(m.arrows[1]!.label).toContain('len 5');
  });

  it('keeps the diagram bounded and counts what it leaves out', () => {
    const b = new TraceBuilder();
    for (let i = 0; i < 50; i++) {
      const s = b.seg(i * 20, 'client', '.', i, 1);
      b.send(i * 20, s).deliver(i * 20 + 10, s);
    }
    const m = buildLadder(b.events, { maxArrows: 10 });
    expect(m.arrows).toHaveLength(10);
    expect(m.omitted).toBe(40);
    expect(renderLadderSvg(m)).toContain('40 later segments are not drawn');
  });

  it('gives the scrubber every send and state change in trace order', () => {
    const events = fourWayClose(false);
    const m = buildLadder(events);
    const steps = scrubSteps(m);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps).toContain(m.arrows[0]!.n);
    expect(steps).toHaveLength(m.arrows.length + m.states.length);
  });

  it('escapes host names in the SVG', () => {
    const b = new TraceBuilder();
    b.state(0, '<evil>', 'CLOSED', 'LISTEN');
    const svg = renderLadderSvg(buildLadder(b.events));
    expect(svg).toContain('&lt;evil&gt;');
    expect(svg).not.toContain('<evil>');
  });
});

describe('the ladder in the Chinese edition', () => {
  it('writes its own words in Chinese: a lost arrow\'s tooltip, a skipped gap, an open TIME_WAIT bar, a retransmission', () => {
    const events = fourWayClose(true);
    // The client's last ACK was lost: the server sends its FIN again, marked as a retransmission.
    const b = new TraceBuilder();
    const again = b.seg(240, 'server', 'F.', 5001, 1002, { retransmission: true });
    const all = [...events.slice(0, -2), { kind: 'segment', action: 'send', t: 240, n: 900, host: 'server', seg: again } as SegmentEvent];
    const zh = ladderWords('zh-cn');
    const m = buildLadder(all, { words: zh.model });
    const svg = renderLadderSvg(m, { words: zh.svg });
    expect(svg).toContain('（丢失）');
    expect(svg).toContain('（重传）');
    expect(m.timers.some((t) => t.label.startsWith('TIME_WAIT 直到 '))).toBe(true);
    expect(svg).not.toMatch(/\((lost|retx|retransmission|dup|duplicate)\)| later\b| until /);
    const gap = buildLadder(fourWayClose(false), { words: zh.model });
    expect(gap.breaks[0]!.label).toBe('60 s 之后');
  });

  it('keeps the English words by default and in the English edition', () => {
    const en = ladderWords('en');
    const m = buildLadder(fourWayClose(true), { words: en.model });
    expect(renderLadderSvg(m, { words: en.svg })).toBe(renderLadderSvg(buildLadder(fourWayClose(true))));
  });
});
