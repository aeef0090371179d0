// A host of the simulation: its TCP stack, its routes, and the Host API a
// program sees (run, sysctl, ss, nstat, crash).
import type { Host, NstatTable, OS, Process, Profile, SsOptions, SsTable, SysctlName, Sysctls } from '../../types/closing-time.d.ts';
import { SocketError } from './errors.ts';
import type { Route } from './network.ts';
import type { HostHandle, Proc } from './process.ts';
import { makeSsTable, ssRows } from './ss.ts';
import type { StackEnv } from './tcp/env.ts';
import { checkSysctl, profileParams } from './tcp/params.ts';
import { Stack } from './tcp/stack.ts';
import { checkHostRun } from './world-checks.ts';

/** What a host needs from its world. */
export interface HostWorld {
  readonly env: StackEnv;
  /** Socket ids are unique in the world, not per host. */
  nextSockId: number;
  hostName(ip: string): string;
  now(): number;
  spawn(host: HostHandle, fn: (os: OS) => unknown, name: string): Proc;
  crashHost(h: HostImpl): void;
}

export class HostImpl implements HostHandle {
  readonly stack: Stack;
  /** Routes by destination address (Network.route). */
  readonly routes = new Map<string, Route>();
  /** The route last used: a host mostly sends to one peer in a row. */
  lastRoute: Route | null = null;
  lastRouteIp = '';
  /** What programs hold of this host. */
  readonly api: Host = new HostView(this);
  constructor(
    private world: HostWorld,
    readonly name: string,
    readonly ip: string,
    readonly profile: Profile,
    mslMs: number,
  ) {
    this.stack = new Stack(name, ip, world.env, profileParams(profile, mslMs), () => world.nextSockId++, (a) => world.hostName(a));
    this.stack.host = this;
  }
  run(fn: (os: OS) => unknown, name?: string): Process {
    checkHostRun(this.name, fn);
    return this.world.spawn(this, fn, name ?? (fn.name && fn.name !== 'anonymous' ? fn.name : this.name)).view;
  }
  sysctl<K extends SysctlName>(name: K, value?: Sysctls[K]): any {
    const err = checkSysctl(name, value === undefined ? this.stack.sysctl(name) : value);
    if (err) throw new SocketError('EINVAL', 'sysctl', err);
    if (value === undefined) return this.stack.sysctl(name);
    this.stack.setSysctl(name, value);
  }
  ss(options?: SsOptions): SsTable {
    return makeSsTable(ssRows(this.stack, this.world.now()), options);
  }
  nstat(): NstatTable {
    return this.stack.counters.snapshot();
  }
  crash(): void {
    this.world.crashHost(this);
  }
}

let implOf: (v: HostView) => HostImpl;

/** A host as programs see it: the Host API, with the stack and the world out of reach. */
class HostView implements Host {
  readonly #h: HostImpl;
  constructor(h: HostImpl) {
    this.#h = h;
  }
  static {
    implOf = (v) => v.#h;
  }
  get name(): string {
    return this.#h.name;
  }
  get ip(): string {
    return this.#h.ip;
  }
  get profile(): Profile {
    return this.#h.profile;
  }
  run(fn: (os: OS) => unknown, name?: string): Process {
    return this.#h.run(fn, name);
  }
  sysctl<K extends SysctlName>(name: K, value?: Sysctls[K]): any {
    return this.#h.sysctl(name, value);
  }
  ss(options?: SsOptions): SsTable {
    return this.#h.ss(options);
  }
  nstat(): NstatTable {
    return this.#h.nstat();
  }
  crash(): void {
    this.#h.crash();
  }
  toJSON(): { name: string; ip: string; profile: Profile } {
    return { name: this.name, ip: this.ip, profile: this.profile };
  }
}

/** The host behind a Host a program passed in (undefined for anything else). */
export function hostBehind(h: unknown): HostImpl | undefined {
  return h instanceof HostView ? implOf(h) : undefined;
}
