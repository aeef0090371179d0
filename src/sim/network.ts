// The network between the hosts: their addresses, the links and what a link
// does to a segment (delay, jitter, loss, duplication, reordering), the
// learner's faults and partitions, and the routes that find a link for a
// segment. transmit() is the hot path: a route is worked out once per sending
// host and destination, and a segment in flight is its own queue event.
import type { FaultRule, Host, Link, LinkOptions, TcpState } from '../../types/closing-time.d.ts';
import { hostBehind, type HostImpl } from './host.ts';
import type { Prng } from './prng.ts';
import { EvKind, type Timeline } from './queue.ts';
import type { Segment } from './segment.ts';
import { SegmentEvent, type TraceBus } from './trace-bus.ts';
import { checkLinkOption, checkLinkOptions } from './world-checks.ts';

type LinkState = Required<LinkOptions>;

const LINK_DEFAULTS: LinkState = { delayMs: 10, jitterMs: 0, loss: 0, duplicate: 0, reorder: 0, reorderDelayMs: 30 };

export class LinkImpl implements Link {
  o: LinkState;
  constructor(
    readonly a: Host,
    readonly b: Host,
    opts: LinkOptions,
  ) {
    this.o = { ...LINK_DEFAULTS };
    this.set(opts);
  }
  set(opts: LinkOptions): void {
    checkLinkOptions(opts);
    for (const [k, v] of Object.entries(opts)) {
      checkLinkOption(k, v, LINK_DEFAULTS);
      if (v !== undefined) (this.o as any)[k] = v;
    }
    if (opts.delayMs !== undefined && opts.reorderDelayMs === undefined) this.o.reorderDelayMs = 3 * this.o.delayMs;
  }
}

/** A fault rule, compiled (FaultRule in types/closing-time.d.ts). */
export interface FaultState {
  rule: FaultRule;
  from: string | null;
  to: string | null;
  bits: number;
  exact: boolean;
  checkFlags: boolean;
  states: TcpState[] | null;
  seen: number;
  hits: number;
  removed: boolean;
  nth: number;
  count: number;
}

export interface Route {
  dst: HostImpl | null;
  link: LinkImpl | null;
  loop: boolean;
  epoch: number;
}

function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export class Network {
  readonly hosts: HostImpl[] = [];
  private byName = new Map<string, HostImpl>();
  private byIp = new Map<string, HostImpl>();
  private links = new Map<string, LinkImpl>();
  /** Links made on first use when the program made none (two hosts just work). */
  private defaultLinks = new Map<string, LinkImpl>();
  readonly faults: FaultState[] = [];
  readonly partitions: { a: string; b: string; from: number; until: number }[] = [];
  /** Changes when a host or a link is added: cached routes are worked out again. */
  private routeEpoch = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly bus: TraceBus,
    private readonly prng: Prng,
  ) {}

  // ---------------------------------------------------------------- hosts and links

  hostNamed(name: string): HostImpl | undefined {
    return this.byName.get(name);
  }

  hostAt(ip: string): HostImpl | undefined {
    return this.byIp.get(ip);
  }

  addHost(h: HostImpl): void {
    this.hosts.push(h);
    this.byName.set(h.name, h);
    this.byIp.set(h.ip, h);
    this.routeEpoch++;
  }

  /** A host of this network, by name or handle; a TypeError naming `what` otherwise. */
  asHost(h: Host | string, what: string): HostImpl {
    const impl = typeof h === 'string' ? this.byName.get(h) : hostBehind(h);
    const found = impl && this.byName.get(impl.name) === impl ? impl : undefined;
    if (!found) throw new TypeError(`${what}: ${JSON.stringify(typeof h === 'string' ? h : (h as Host)?.name ?? h)} is not a host of this simulation`);
    return found;
  }

  addLink(ha: HostImpl, hb: HostImpl, options: LinkOptions): Link {
    if (ha === hb) throw new TypeError('sim.link: a host needs no link to itself (it reaches itself over loopback)');
    const key = linkKey(ha.name, hb.name);
    if (this.links.has(key)) throw new TypeError(`sim.link: ${ha.name} and ${hb.name} are already linked; use link.set() to change it`);
    const l = new LinkImpl(ha.api, hb.api, options);
    this.links.set(key, l);
    this.routeEpoch++;
    return l;
  }

  hostName(ip: string): string {
    return this.byIp.get(ip)?.name ?? ip;
  }

  resolveHost(name: string): string | null {
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return name;
    return this.byName.get(name)?.ip ?? null;
  }

  // ---------------------------------------------------------------- segments

  /** A segment on its way to `dst`, due at `t`: the segment is its own event; a duplicate gets one of its own. */
  private pushSegment(t: number, seg: Segment, dst: HostImpl, duplicate: boolean): void {
    seg.path.dst = dst;
    if (duplicate) this.timeline.schedule(t, EvKind.DeliverCopy, seg, null, 0);
    else this.timeline.scheduleSegment(t, seg);
  }

  /** Where a segment from `src` to `dstIp` goes: cached per sending host and address (transmit is the hot path). */
  private route(src: HostImpl, dstIp: string): Route {
    let r: Route | null | undefined = src.lastRoute;
    if (r !== null && src.lastRouteIp === dstIp && r.epoch === this.routeEpoch) return r;
    r = src.routes.get(dstIp);
    if (r !== undefined && r.epoch === this.routeEpoch) {
      src.lastRoute = r;
      src.lastRouteIp = dstIp;
      return r;
    }
    const loop = dstIp.startsWith('127.') || dstIp === src.ip;
    const dst = loop ? src : (this.byIp.get(dstIp) ?? null);
    r = { dst, link: dst && !loop ? this.linkBetween(src, dst) : null, loop, epoch: this.routeEpoch };
    src.routes.set(dstIp, r);
    src.lastRoute = r;
    src.lastRouteIp = dstIp;
    return r;
  }

  /** The link between two hosts (worked out once per route: see route()). */
  private linkBetween(src: HostImpl, dst: HostImpl): LinkImpl | null {
    const key = linkKey(src.name, dst.name);
    let l = this.links.get(key) ?? null;
    if (!l && this.links.size === 0) {
      l = this.defaultLinks.get(key) ?? null;
      if (!l) this.defaultLinks.set(key, (l = new LinkImpl(src, dst, {})));
    }
    return l;
  }

  transmit(seg: Segment, src: HostImpl): void {
    const bus = this.bus;
    if (bus.trSeg) {
      bus.emitSegment(new SegmentEvent('send', seg.srcHost, seg, seg.senderState || undefined, undefined));
    }
    const route = this.route(src, seg.dstIp);
    const dst = route.dst;
    if (!dst) return this.drop(seg, 'no-route');
    const now = this.timeline.now;
    if (route.loop) {
      this.pushSegment(now, seg, dst, false);
      return;
    }
    const link = route.link;
    if (!link) return this.drop(seg, 'no-route');
    for (const p of this.partitions) {
      if (now >= p.from && now < p.until && ((p.a === src.name && p.b === dst.name) || (p.b === src.name && p.a === dst.name)))
        return this.drop(seg, 'partition');
    }
    let extra = 0;
    for (const f of this.faults) {
      if (f.removed || !this.faultMatches(f, seg, src.name, dst.name)) continue;
      f.seen++;
      if (f.seen < f.nth || f.seen >= f.nth + f.count) continue;
      f.hits++;
      if (f.rule.action === 'drop') return this.drop(seg, 'fault');
      if (f.rule.action === 'delay') extra += f.rule.delayMs ?? 1000;
      else {
        const at = now + link.o.delayMs + (f.rule.delayMs ?? 1000);
        this.pushSegment(at, seg, dst, true);
      }
    }
    const o = link.o;
    const prng = this.prng;
    if (o.loss > 0 && prng.next() < o.loss) return this.drop(seg, 'loss');
    let delay = o.delayMs + extra;
    if (o.jitterMs > 0) delay += prng.next() * o.jitterMs;
    if (o.reorder > 0 && prng.next() < o.reorder) delay += o.reorderDelayMs;
    this.pushSegment(now + Math.round(delay), seg, dst, false);
    if (o.duplicate > 0 && prng.next() < o.duplicate) this.pushSegment(now + Math.round(delay) + 1, seg, dst, true);
  }

  private faultMatches(f: FaultState, seg: Segment, src: string, dst: string): boolean {
    const r = f.rule;
    const now = this.timeline.now;
    if (f.from && f.from !== src) return false;
    if (f.to && f.to !== dst) return false;
    if (r.fromMs !== undefined && now < r.fromMs) return false;
    if (r.untilMs !== undefined && now >= r.untilMs) return false;
    if (f.checkFlags) {
      const bits = seg.bits & 31;
      if (f.exact ? (bits & ~8) !== (f.bits & ~8) : (bits & f.bits) !== f.bits) return false;
    }
    if (r.payload !== undefined) {
      if (typeof r.payload === 'string' ? !seg.data.includes(r.payload) : !r.payload.test(seg.data)) return false;
    }
    if (f.states && (!seg.senderState || !f.states.includes(seg.senderState))) return false;
    if (r.retransmission !== undefined && seg.retransmission !== r.retransmission) return false;
    return true;
  }

  private drop(seg: Segment, reason: string): void {
    if (this.bus.trSeg) this.bus.emitSegment(new SegmentEvent('drop', seg.srcHost, seg, undefined, reason));
  }
}
