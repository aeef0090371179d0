// The kernel run's network: one network namespace per host, its veth into the
// wire namespace (scripts/kernel/wire.py relays between linked hosts, with the
// links' delay and the program's faults), and the sweep of namespaces a killed
// run left behind.
// Namespaces are named `ctk-<pid>-<n>` (pid of the Node process that made them),
// so a later run can tell leftovers of a dead run from those of a live one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const NS_PREFIX = 'ctk';
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
  for (const [tool, pkg] of [['ip', 'iproute2'], ['python3', 'python3']] as const) {
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
