// The checks of the Simulation API's arguments: a learner's mistake is a
// TypeError that says what was expected, raised before anything changes.
import type { FaultRule, HostOptions, LinkOptions, Profile } from '../../types/closing-time.d.ts';
import { parseFlagPattern } from './segment.ts';

export function checkHostName(name: unknown, taken: (name: string) => boolean): asserts name is string {
  if (typeof name !== 'string' || !/^[A-Za-z][\w-]{0,31}$/.test(name))
    throw new TypeError(`host name must start with a letter and use letters, digits, '-' or '_' (at most 32), got ${JSON.stringify(name)}`);
  if (taken(name)) throw new TypeError(`there is already a host named '${name}'`);
}

export interface CheckedHost {
  ip: string;
  profile: Profile;
  mslMs: number;
  /** Linux's clock-driven ISNs (RFC 6528), or one counter per 4-tuple. */
  isnClock: boolean;
}

/**
 * host(name, ip | options): the address (the first free 10.0.0.n when none is
 * given), profile and MSL, with the world's defaults filled in.
 */
export function checkHostOptions(
  name: string,
  ipOrOptions: string | HostOptions | undefined,
  defaults: { profile: Profile; mslMs: number },
  hostCount: number,
  ipOwner: (ip: string) => string | undefined,
): CheckedHost {
  const o: HostOptions = typeof ipOrOptions === 'string' ? { ip: ipOrOptions } : (ipOrOptions ?? {});
  let ip = o.ip;
  if (ip === undefined) {
    let n = hostCount + 1;
    while (ipOwner(`10.0.0.${n}`) !== undefined) n++;
    ip = `10.0.0.${n}`;
  }
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m || m.slice(1).some((p) => Number(p) > 255) || ip.startsWith('127.') || ip === '0.0.0.0')
    throw new TypeError(`host '${name}': ${JSON.stringify(ip)} is not a usable IPv4 address`);
  const owner = ipOwner(ip);
  if (owner !== undefined) throw new TypeError(`host '${name}': address ${ip} already belongs to '${owner}'`);
  const profile = o.profile ?? defaults.profile;
  if (profile !== 'linux' && profile !== 'rfc9293') throw new TypeError(`profile must be 'linux' or 'rfc9293', got ${JSON.stringify(profile)}`);
  const msl = o.mslMs ?? defaults.mslMs;
  if (typeof msl !== 'number' || !(msl > 0)) throw new TypeError(`mslMs must be a positive number, got ${JSON.stringify(msl)}`);
  if (o.isn !== undefined && o.isn !== 'rfc6528' && o.isn !== 'per-tuple') throw new TypeError(`isn must be 'rfc6528' or 'per-tuple', got ${JSON.stringify(o.isn)}`);
  return { ip, profile, mslMs: msl, isnClock: o.isn !== 'per-tuple' };
}

/** One option of link(a, b, options) or link.set(options), against the known ones (`defaults`). */
export function checkLinkOption(k: string, v: unknown, defaults: Required<LinkOptions>): void {
  if (!(k in defaults)) throw new TypeError(`unknown link option '${k}'; known: ${Object.keys(defaults).join(', ')}`);
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`link option ${k} must be a number >= 0, got ${JSON.stringify(v)}`);
  if ((k === 'loss' || k === 'duplicate' || k === 'reorder') && v > 1) throw new TypeError(`link option ${k} is a probability from 0 to 1, got ${v}`);
}

export function checkLinkOptions(opts: LinkOptions): void {
  if (!opts || typeof opts !== 'object') throw new TypeError('link options must be an object like { delayMs: 10, loss: 0.1 }');
}

/** fault(rule): its shape, action, flag pattern and counts (the hosts it names are looked up by the caller). */
export function checkFaultRule(rule: FaultRule): { bits: number; exact: boolean } {
  if (!rule || typeof rule !== 'object') throw new TypeError('sim.fault takes a rule like { action: "drop", from: client, flags: "F" }');
  if (rule.action !== 'drop' && rule.action !== 'delay' && rule.action !== 'duplicate')
    throw new TypeError(`fault action must be 'drop', 'delay' or 'duplicate', got ${JSON.stringify(rule.action)}`);
  const fp = rule.flags !== undefined ? parseFlagPattern(String(rule.flags)) : { bits: 0, exact: false };
  for (const k of ['nth', 'count'] as const) {
    const v = rule[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) throw new TypeError(`fault ${k} must be an integer >= 1, got ${JSON.stringify(v)}`);
  }
  return fp;
}

export function checkPartitionWindow(window: { fromMs: number; untilMs: number }): void {
  if (!window || typeof window.fromMs !== 'number' || typeof window.untilMs !== 'number' || window.untilMs < window.fromMs)
    throw new TypeError('sim.partition(a, b, { fromMs, untilMs }) needs fromMs <= untilMs');
}

export function checkAt(ms: number, fn: () => void): void {
  if (typeof ms !== 'number' || !(ms >= 0)) throw new TypeError(`sim.at(ms, fn) needs ms >= 0, got ${JSON.stringify(ms)}`);
  if (typeof fn !== 'function') throw new TypeError('sim.at(ms, fn) needs a function');
}

export function checkUntil(ms: number): void {
  if (typeof ms !== 'number' || !(ms > 0)) throw new TypeError(`sim.until(ms) needs ms > 0, got ${JSON.stringify(ms)}`);
}

/** configure(): each option is checked just before it is set, as before the split. */
export function checkProfile(profile: unknown): asserts profile is Profile {
  if (profile !== 'linux' && profile !== 'rfc9293') throw new TypeError(`profile must be 'linux' or 'rfc9293'`);
}

export function checkMsl(mslMs: unknown): asserts mslMs is number {
  if (typeof mslMs !== 'number' || !(mslMs > 0)) throw new TypeError('mslMs must be a positive number');
}

export function checkHostRun(hostName: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${hostName}.run(fn) takes a function (os) => { ... }, got ${typeof fn}`);
}

export function checkSubscriber(fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError('sim.on(kind, fn) needs a function');
}
