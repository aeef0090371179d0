// The kernel run's network: one network namespace per host, veth pairs (a
// bridge namespace when there are more than two hosts), per-host nftables
// tables for faults, and the sweep of namespaces a killed run left behind.
// Namespaces are named `ctk-<pid>-<n>` (pid of the Node process that made them),
// so a later run can tell leftovers of a dead run from those of a live one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const NS_PREFIX = 'ctk';
export const TABLE = 'closingtime';
export const IFACE = 'eth0';

export class KernelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelUnavailable';
  }
}

export function sh(cmd: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
}

function which(tool: string): boolean {
  const dirs = (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => d && existsSync(`${d}/${tool}`));
}

export interface KernelCheckEnv {
  platform: NodeJS.Platform;
  uid: number;
  has: (tool: string) => boolean;
}

/** Why this machine cannot run programs on the kernel, in one plain sentence, or null if it can. */
export function kernelUnavailableReason(env: KernelCheckEnv = { platform: process.platform, uid: process.getuid?.() ?? -1, has: which }): string | null {
  if (env.platform !== 'linux') return `--kernel runs the program on Linux's own TCP stack, and this is ${env.platform}, not Linux`;
  if (env.uid !== 0) return '--kernel needs root: it makes a network namespace per host (CAP_SYS_ADMIN) and captures segments (CAP_NET_RAW); run it with sudo';
  for (const [tool, pkg] of [['ip', 'iproute2'], ['nft', 'nftables'], ['python3', 'python3']] as const) {
    if (!env.has(tool)) return `--kernel needs '${tool}', which is not installed (apt-get install ${pkg})`;
  }
  return null;
}

export function nsList(): string[] {
  let out = '';
  try {
    out = sh('ip', ['netns', 'list']);
  } catch {
    return [];
  }
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the namespaces of kernel runs whose process is gone (killed outright). Returns their names. */
export function sweepStale(list: string[] = nsList()): string[] {
  const swept: string[] = [];
  for (const name of list) {
    const m = /^ctk-(\d+)-/.exec(name);
    if (!m || pidAlive(Number(m[1]))) continue;
    try {
      sh('ip', ['netns', 'del', name]);
      swept.push(name);
    } catch {
      // gone already
    }
  }
  return swept;
}

export function nsName(pid: number, n: number | string): string {
  return `${NS_PREFIX}-${pid}-${n}`;
}

export function addNamespace(name: string): void {
  sh('ip', ['netns', 'add', name]);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

export function deleteNamespace(name: string): void {
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

export function nft(ns: string, script: string): string {
  return sh('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], script);
}

/** nft's `--echo --handle` for one rule: returns its handle. */
export function nftAddRule(ns: string, chain: string, rule: string): number {
  const out = sh('ip', ['netns', 'exec', ns, 'nft', '--echo', '--handle', 'add', 'rule', 'inet', TABLE, chain, ...rule.split(' ')]);
  const m = /# handle (\d+)/.exec(out);
  if (!m) throw new Error(`nft did not give the new rule's handle: ${out}`);
  return Number(m[1]);
}

export function nftDeleteRule(ns: string, chain: string, handle: number): void {
  try {
    sh('ip', ['netns', 'exec', ns, 'nft', 'delete', 'rule', 'inet', TABLE, chain, 'handle', String(handle)]);
  } catch {
    // the namespace is being torn down
  }
}

/**
 * The table every host gets. Faults are decided at the sender (the output hook,
 * where the sending socket's uid is known) and carried out at the receiver: the
 * sender's rule marks the segment with a DSCP code, the receiver's input hook
 * drops every marked segment. So the sender's capture shows the segment leave,
 * as with a frame lost on a wire, and the receiver's capture sees it arrive
 * marked and reports it dropped.
 */
export function hostTable(): string {
  return `table inet ${TABLE} {
  chain output { type filter hook output priority 0; policy accept; }
  chain input { type filter hook input priority 0; policy accept; ip dscp != cs0 counter drop; }
}
`;
}

/**
 * The nft match of a fault rule's flags ('F', '=A', 'S.' ...): tcpdump's letters,
 * '=' for an exact set. Throws for a letter nft has no name for.
 */
export function nftFlags(flags: string | undefined): string {
  if (!flags) return 'meta l4proto tcp';
  const names: Record<string, string> = { S: 'syn', F: 'fin', R: 'rst', P: 'psh', A: 'ack', '.': 'ack', U: 'urg', E: 'ecn', W: 'cwr' };
  const exact = flags.startsWith('=');
  const letters = exact ? flags.slice(1) : flags;
  const wanted = [...new Set([...letters].map((c) => {
    const n = names[c];
    if (!n) throw new Error(`unknown flag letter '${c}' in '${flags}' (use S F R P A)`);
    return n;
  }))].sort();
  const mask = wanted.join('|');
  // Exact: the flags nft compares are all eight bits.
  if (exact) return `tcp flags == ${mask}`;
  return `tcp flags & (${mask}) == (${mask})`;
}
