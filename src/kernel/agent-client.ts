// The Node side of one host's agent (scripts/kernel/agent.py): requests go to a
// FIFO; calls that return at once are answered on a second FIFO that this side
// reads synchronously (the program API's bind, listen, setsockopt, ss ... are
// synchronous); calls that wait are answered on the agent's stdout, with the
// segments it captures and the socket states it samples.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

export interface AgentReply {
  id: number;
  ok: boolean;
  t: number;
  result?: Record<string, unknown>;
  errno?: string;
  message?: string;
}

export type AgentEvent =
  | { type: 'ready'; pid: number }
  | { type: 'done'; id: number; ok: boolean; t: number; result?: Record<string, unknown>; errno?: string; message?: string }
  | { type: 'seg'; action: 'send' | 'drop'; t: number; seg: CapturedSegment; state?: string | null; reason?: string }
  | { type: 'states'; t: number; why: string; changes: { local: string; remote: string; sk?: number | null; from: string; to: string }[] };

export interface CapturedSegment {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: string;
  win: number;
  data: string;
  dscp: number;
  tsval?: number;
  tsecr?: number;
  rtx?: boolean;
}

export class AgentGoneError extends Error {
  constructor(host: string, detail: string) {
    super(`the kernel agent of host '${host}' exited unexpectedly (${detail})`);
    this.name = 'AgentGone';
  }
}

/** Where a script of scripts/kernel is: beside the sources or, bundled, two levels up from dist/cli. */
export function scriptPath(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [resolve(here, '../../scripts/kernel', name), resolve(here, '../scripts/kernel', name), resolve(process.cwd(), 'scripts/kernel', name)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`scripts/kernel/${name} not found beside the closing-time sources`);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class Agent {
  readonly child: ChildProcess;
  readonly pid: number;
  private readonly dir: string;
  private readonly reqFd: number;
  private readonly replyFd: number;
  private buffered = '';
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: AgentReply) => void>();
  gone: string | null = null;

  constructor(
    readonly host: string,
    readonly ns: string,
    t0: number,
    private readonly onEvent: (event: AgentEvent) => void,
    private readonly onGone: (error: AgentGoneError) => void,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'closing-time-agent-'));
    const req = join(this.dir, 'req');
    const reply = join(this.dir, 'reply');
    execFileSync('mkfifo', [req, reply]);
    // O_RDWR: opening never waits for the other end, and the agent never sees EOF on it.
    this.reqFd = openSync(req, constants.O_RDWR);
    this.replyFd = openSync(reply, constants.O_RDONLY | constants.O_NONBLOCK);
    this.child = spawn('ip', ['netns', 'exec', ns, 'python3', '-u', scriptPath('agent.py'), '--t0', String(t0 / 1000), '--req', req, '--reply', reply], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid ?? -1;
    let stderr = '';
    this.child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (!line.trim()) return;
      let event: AgentEvent;
      try {
        event = JSON.parse(line) as AgentEvent;
      } catch {
        return;
      }
      if (event.type === 'done') {
        const w = this.waiting.get(event.id);
        this.waiting.delete(event.id);
        w?.(event);
        return;
      }
      this.onEvent(event);
    });
    this.child.on('exit', (code, signal) => {
      if (this.gone) return;
      this.gone = signal ? `killed by ${signal}` : `exit code ${code}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-1)[0]}` : ''}`;
      const error = new AgentGoneError(this.host, this.gone);
      for (const w of this.waiting.values()) w({ id: -1, ok: false, t: 0, errno: 'EAGENT', message: error.message });
      this.waiting.clear();
      this.onGone(error);
    });
  }

  private alive(): boolean {
    if (this.gone) return false;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      return !/\) [ZX] /.test(stat);
    } catch {
      return false;
    }
  }

  private send(req: Record<string, unknown>): number {
    const id = this.nextId++;
    writeSync(this.reqFd, JSON.stringify({ id, ...req }) + '\n');
    return id;
  }

  /** A call that returns at once, answered on the reply FIFO (blocks this thread until it is). */
  call(op: string, args: Record<string, unknown> = {}): AgentReply {
    if (this.gone) throw new AgentGoneError(this.host, this.gone);
    const id = this.send({ op, ...args });
    const chunk = Buffer.alloc(65536);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const reply = JSON.parse(line) as AgentReply;
        if (reply.id === id) return reply;
        continue;
      }
      let n = 0;
      try {
        n = readSync(this.replyFd, chunk, 0, chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
      if (n > 0) {
        this.buffered += chunk.subarray(0, n).toString('utf8');
        continue;
      }
      if (!this.alive()) {
        this.gone ??= 'it died during a call';
        throw new AgentGoneError(this.host, this.gone);
      }
      if (Date.now() > deadline) throw new AgentGoneError(this.host, `no answer to ${op} in 20 s`);
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }

  /** A call that may wait, answered on stdout. */
  callAsync(op: string, args: Record<string, unknown> = {}): Promise<AgentReply> {
    if (this.gone) return Promise.reject(new AgentGoneError(this.host, this.gone));
    return new Promise((resolveReply) => {
      const id = this.send({ op, ...args });
      this.waiting.set(id, resolveReply);
    });
  }

  /** Ends the agent (its sockets close with it) and removes its FIFOs. */
  stop(): void {
    this.gone ??= 'stopped';
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    for (const fd of [this.reqFd, this.replyFd]) {
      try {
        closeSync(fd);
      } catch {
        // closed
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
