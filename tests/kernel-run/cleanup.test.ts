// The kernel run leaves nothing behind: Ctrl-C mid-run, an agent that dies,
// a parent killed outright (the next run sweeps), a program the backend cannot
// run at all. And it says plainly why it cannot run where it cannot.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { kernelUnavailableReason, nsList, sweepStale } from '../../src/kernel/network.ts';
import { runKernelProgram } from '../../src/kernel/run.ts';
import { parseRunArgs } from '../../src/cli/run-args.ts';
import { buildCli, ROOT } from '../cli/run-cli.ts';
import { inCI, unavailable } from './environment.ts';

const SLEEPY = `import type { Simulation } from 'closing-time';
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 5 });
  server.run(async (os) => {
    const l = os.socket();
    l.bind({ port: 80 });
    l.listen();
    const c = await l.accept();
    await os.sleep(30000);
    await c.close();
  });
  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.recv();
  });
}
`;

const of = (pid: number) => nsList().filter((n) => n.startsWith(`ctk-${pid}-`));

function startCli(): { child: ReturnType<typeof spawn>; sleeping: Promise<void>; exit: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-cleanup-'));
  const file = join(dir, 'sleepy.ts');
  writeFileSync(file, SLEEPY);
  const child = spawn(process.execPath, [join(ROOT, 'bin/closing-time.mjs'), 'run', file, '--kernel', '--no-typecheck'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let sawSleep: () => void;
  const sleeping = new Promise<void>((r) => (sawSleep = r));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('sleeping 30.0 s')) sawSleep();
  });
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: string | null; stderr: string }>((r) => child.on('exit', (code, signal) => r({ code, signal, stderr })));
  return { child, sleeping, exit };
}

describe('run --kernel', () => {
  test('is an option of run, off by default', () => {
    expect(parseRunArgs(['p.ts', '--kernel']).kernel).toBe(true);
    expect(parseRunArgs(['p.ts']).kernel).toBe(false);
  });
});

describe('messages where the kernel run cannot work (the check, simulated)', () => {
  test('not root: says it needs root and why', () => {
    expect(kernelUnavailableReason({ platform: 'linux', uid: 1000, has: () => true })).toMatch(/needs root.*network namespace/);
  });
  test('not Linux: says so', () => {
    expect(kernelUnavailableReason({ platform: 'darwin', uid: 0, has: () => true })).toMatch(/this is darwin, not Linux/);
  });
  test('no iproute2: names the tool and the package', () => {
    expect(kernelUnavailableReason({ platform: 'linux', uid: 0, has: (t) => t !== 'ip' })).toMatch(/'ip'.*iproute2/);
  });
  test('everything there: no reason', () => {
    expect(kernelUnavailableReason({ platform: 'linux', uid: 0, has: () => true })).toBeNull();
  });
});

if (unavailable && inCI) {
  test('the kernel run can run in CI', () => {
    expect.fail(`CI=true but the kernel run cannot run: ${unavailable}`);
  });
}

describe.skipIf(unavailable !== null)('clean-up of the kernel run', () => {
  beforeAll(() => buildCli());

  test('Ctrl-C mid-run deletes the namespaces and exits 130', async () => {
    const { child, sleeping, exit } = startCli();
    await sleeping;
    expect(of(child.pid!).length, 'namespaces while it runs').toBeGreaterThanOrEqual(3);
    child.kill('SIGINT');
    const { code, stderr } = await exit;
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: the kernel run was stopped and its namespaces deleted/);
    expect(of(child.pid!)).toEqual([]);
  }, 60_000);

  test('a parent killed outright leaves namespaces that the next run sweeps', async () => {
    const { child, sleeping, exit } = startCli();
    await sleeping;
    child.kill('SIGKILL');
    await exit;
    const left = of(child.pid!);
    expect(left.length, 'SIGKILL skips every clean-up').toBeGreaterThanOrEqual(3);
    const swept = sweepStale();
    expect(swept).toEqual(expect.arrayContaining(left));
    expect(of(child.pid!)).toEqual([]);
  }, 60_000);

  test('an agent that crashes ends the run with an error naming its host, and nothing is left', async () => {
    const started = Date.now();
    const r = await runKernelProgram(SLEEPY, {
      fileName: 'sleepy.ts',
      onAgent: (host, pid) => {
        if (host === 'server') setTimeout(() => process.kill(pid, 'SIGKILL'), 1500);
      },
    });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.message).join('\n')).toMatch(/the kernel agent of host 'server' exited unexpectedly \(killed by SIGKILL\)/);
    expect(Date.now() - started, 'it does not wait for the 30 s sleep').toBeLessThan(15_000);
    expect(of(process.pid)).toEqual([]);
  }, 60_000);

  test('a program using duplication gets a message naming it, and nothing is left', async () => {
    const source = SLEEPY.replace('{ delayMs: 5 }', '{ delayMs: 5, duplicate: 0.1 }');
    const r = await runKernelProgram(source, { fileName: 'dup.ts' });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.message).join('\n')).toMatch(/Link duplication \(duplicate\) is not available on the kernel run/);
    expect(of(process.pid)).toEqual([]);
  }, 60_000);

  test('closing-time compare prints the verdict and exits 0 when both runs agree', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/closing-time.mjs'), 'compare', 'examples/four-way-close.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.resume();
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    // Both sides delay ACKs now, so the four-way close agrees with no simplification to name.
    expect(out).toMatch(/verdict: the same on the simulator and on Linux\n/);
    expect(code).toBe(0);
    expect(of(child.pid!)).toEqual([]);
  }, 60_000);

  test('a fault rule that duplicates gets a message naming it', async () => {
    const source = SLEEPY.replace("sim.link(client, server, { delayMs: 5 });", "sim.link(client, server, { delayMs: 5 });\n  sim.fault({ action: 'duplicate', flags: 'F' });");
    const r = await runKernelProgram(source, { fileName: 'dup.ts' });
    expect(r.errors.map((e) => e.message).join('\n')).toMatch(/Fault rule action 'duplicate' \(duplication\) is not available on the kernel run/);
    expect(of(process.pid)).toEqual([]);
  }, 60_000);
});
