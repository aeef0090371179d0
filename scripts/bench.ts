// `npm run bench`: prints the speed figures the issues name. It measures and
// prints; it does not fail on targets (tests do not time things).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { OS, World, WorldOptions } from '../src/sim/index.ts';

// The simulator is measured as it ships: bundled by esbuild, as the CLI and the
// site bundle it (per-file transpiling, as tsx does, makes it slower: for one,
// const enums are not inlined across modules). The workloads below are the
// programs, as a learner's program would be, and stay as they are.
const simBundle = fileURLToPath(new URL('../dist/bench/sim.mjs', import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL('../src/sim/index.ts', import.meta.url))],
  outfile: simBundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
const { createWorld } = (await import(pathToFileURL(simBundle).href)) as typeof import('../src/sim/index.ts');

const gc = (globalThis as { gc?: () => void }).gc;

function line(name: string, value: string, target?: string): void {
  console.log(`${name.padEnd(58)} ${value.padStart(14)}${target ? `   (target ${target})` : ''}`);
}

/**
 * Speed figures are taken twice: the first run in this process (cold: V8 has
 * not compiled the simulator's hot paths yet and the heap is still growing),
 * and the median of the runs after it (warm: steady state, as in a
 * long-lived server or worker that runs many worlds). The targets are about
 * the steady state; both figures are printed.
 */
const RUNS = 8;

/** The median of the runs after the first. */
function warm(values: number[]): number {
  const w = values.slice(1).sort((a, b) => a - b);
  return w[Math.floor(w.length / 2)]!;
}

async function timedRuns<T>(make: () => { run(): Promise<T> }, after?: (ms: number) => void): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // No gc() here: a forced full collection shrinks the heap, and the run would
    // spend its first part growing it again (a long-lived process never does that).
    const w = make();
    const t0 = performance.now();
    await w.run();
    const ms = performance.now() - t0;
    times.push(ms);
    after?.(ms);
  }
  return times;
}

/**
 * Segment events per second (send, deliver and drop events) over RUNS runs of
 * the world `build` sets up, with the trace on: one subscriber counts segments.
 */
async function segmentRate(label: string, options: WorldOptions, build: (world: World) => void): Promise<void> {
  let segs = 0;
  let ended = '';
  const rates: number[] = [];
  await timedRuns(
    () => {
      const world = createWorld({ record: false, callSites: false, wallMs: 120_000, ...options });
      segs = 0;
      world.on('segment', () => {
        segs++;
      });
      build(world);
      return {
        run: async () => {
          const sum = await world.run();
          if (sum.endedBy !== 'quiescence') ended = `${sum.endedBy}: ${sum.message}`;
        },
      };
    },
    (ms) => rates.push((segs / ms) * 1000),
  );
  const fmt = (r: number) => Math.round(r).toLocaleString('en');
  line(`segment events/s (${label}, traced), warm`, fmt(warm(rates)), '>= 1,000,000');
  line('  cold: first run in this process', fmt(rates[0]!));
  line('  segment events per run', segs.toLocaleString('en'));
  if (ended) console.log(`  (run ended by ${ended})`);
}

/** 2,000 connections each pushing 64 KB through a lossy, jittery link. */
function shortTransfers(world: World): void {
  const client = world.host('client');
  const server = world.host('server');
  world.link(client, server, { delayMs: 5, jitterMs: 2, loss: 0.001 });
  const N = 2000;
  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen(4096);
    for (let i = 0; i < N; i++) {
      const c = await ls.accept();
      os.spawn(async () => {
        while ((await c.recv()) !== '');
        await c.close();
      });
    }
  });
  const payload = 'x'.repeat(65_536);
  for (let i = 0; i < N; i++) {
    client.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      await s.send(payload);
      await s.close();
    });
  }
}

/**
 * One connection carrying 200 MB (about 144,000 data segments and as many ACKs):
 * the per-segment cost of the stack and the engine in steady state. The
 * 2,000-connection figure adds handshakes, teardowns, processes and a large
 * working set.
 */
function bulkTransfer(world: World): void {
  const client = world.host('client');
  const server = world.host('server');
  world.link(client, server, { delayMs: 5 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const c = await ls.accept();
    while ((await c.recv()) !== '');
    await c.close();
  });
  const chunk = 'x'.repeat(65_536);
  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    for (let i = 0; i < 3200; i++) await s.send(chunk);
    await s.close();
  });
}

/** 100,000 lifecycles: connect, request, response, client close, TIME_WAIT expiry. */
async function lifecycles(): Promise<void> {
  const TOTAL = 100_000;
  const WORKERS = 200;
  let completed = 0;
  let virtualMs = 0;
  let peak = 0;
  const make = () => {
    const world = createWorld({ seed: 2, record: false, callSites: false, wallMs: 300_000, untilMs: 3_600_000 });
    const client = world.host('client');
    const server = world.host('server');
    world.link(client, server, { delayMs: 1 });
    server.run(async (os) => {
      const ls = os.socket();
      ls.setsockopt('SO_REUSEADDR', true);
      ls.bind({ port: 80 });
      ls.listen(4096);
      for (;;) {
        const c = await ls.accept();
        os.spawn(async () => {
          await c.recv();
          await c.send('HTTP/1.0 200 OK\r\n\r\n');
          await c.recv(); // EOF: the client closes first
          await c.close();
        });
      }
    });
    completed = 0;
    for (let w = 0; w < WORKERS; w++) {
      client.run(async (os: OS) => {
        for (let i = 0; i < TOTAL / WORKERS; i++) {
          const s = os.socket();
          await s.connect({ host: 'server', port: 80 });
          await s.send('GET / HTTP/1.0\r\n\r\n');
          await s.recv();
          await s.close();
          completed++;
          // 200 workers x 2 connections/s = 400/s: under the ~470/s that 28,232 ports allow with 60 s TIME_WAIT.
          await os.sleep(500);
        }
      });
    }
    // Peak heap is sampled during each run; the last (warm) run's is printed.
    return {
      run: async () => {
        peak = process.memoryUsage().heapUsed;
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }, 5);
        virtualMs = (await world.run()).virtualMs;
        clearInterval(sampler);
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    };
  };
  const times = await timedRuns(make);
  line('100,000 lifecycles: wall time, warm', `${(warm(times) / 1000).toFixed(2)} s`, '<= 1.5 s');
  line('  cold: first run in this process', `${(times[0]! / 1000).toFixed(2)} s`);
  // The whole process's heap: without a forced GC between runs, a figure "above the start" would
  // subtract garbage of the run before, which this run collects.
  line('100,000 lifecycles: peak heap in use (whole process)', `${(peak / 2 ** 20).toFixed(1)} MiB`);
  line('  completed / virtual time', `${completed.toLocaleString('en')} / ${(virtualMs / 1000).toFixed(0)} s`);
}

async function runDiscardingSummary(w: { run(): Promise<unknown> }): Promise<void> {
  await w.run();
}

/** Heap bytes per TIME_WAIT socket: the same world with and without TIME_WAIT buckets, after GC. */
async function bytesPerTimeWait(): Promise<void> {
  const N = 20_000;
  const build = (buckets: number) => {
    const world = createWorld({ seed: 3, record: false, callSites: false, wallMs: 120_000, untilMs: 50_000 });
    const client = world.host('client');
    const server = world.host('server');
    world.link(client, server, { delayMs: 1 });
    client.sysctl('net.ipv4.tcp_max_tw_buckets', buckets);
    server.run(async (os) => {
      const ls = os.socket();
      ls.bind({ port: 80 });
      ls.listen(4096);
      for (;;) {
        const c = await ls.accept();
        os.spawn(async () => {
          await c.recv();
          await c.close();
        });
      }
    });
    const per = N / 100;
    for (let w = 0; w < 100; w++) {
      client.run(async (os) => {
        for (let i = 0; i < per; i++) {
          const s = os.socket();
          await s.connect({ host: 'server', port: 80 });
          await s.close();
        }
      });
    }
    return world;
  };
  // Each world is measured against the heap just before it was built, and dropped before the next.
  // Lets callbacks the last run left queued (a final engine step, a watchdog) run and let go of its world.
  const settle = async () => {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  const measure = async (buckets: number) => {
    await settle();
    gc?.();
    gc?.();
    const before = process.memoryUsage().heapUsed;
    let w: ReturnType<typeof build> | null = build(buckets);
    // Run in a frame of its own, so that the run's summary (an ss row per socket) is garbage
    // when the heap is measured: the figure is what the sockets cost, not a report about them.
    await runDiscardingSummary(w);
    await settle();
    gc?.();
    gc?.();
    const used = process.memoryUsage().heapUsed - before;
    const tw = w.hosts.find((h) => h.name === 'client')!.ss().inState('TIME-WAIT').length;
    w = null;
    return { used, tw };
  };
  // A first run, not counted: the code V8 compiles for it (and keeps) is on the heap by the
  // time the measured runs start, not charged to whichever run happened to compile it.
  await measure(1_000_000);
  const without = await measure(0);
  const withTw = await measure(1_000_000);
  const per = (withTw.used - without.used) / Math.max(1, withTw.tw);
  line('heap bytes per TIME_WAIT socket', `${Math.round(per)} B`, '<= 512 B');
  line('  TIME_WAIT sockets measured', withTw.tw.toLocaleString('en'));
  if (!gc) console.log('  (run with node --expose-gc for a stable figure)');
}

async function optional(path: string, fn: string): Promise<void> {
  if (!existsSync(new URL(path, import.meta.url))) return;
  try {
    const mod = await import(path);
    const figures: Record<string, number> = await mod[fn]();
    for (const [k, v] of Object.entries(figures)) line(k, typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v));
  } catch (e) {
    console.log(`${path}: could not measure: ${e instanceof Error ? e.message : e}`);
  }
}

console.log('Closing Time benchmarks (Node ' + process.version + ')\n');
await segmentRate('2,000 conns x 64 KB', { seed: 1 }, shortTransfers);
await segmentRate('one connection, 200 MB', { seed: 4, untilMs: 1e9 }, bulkTransfer);
await lifecycles();
await bytesPerTimeWait();
try {
  const { benchLabs } = await import('./bench-labs.ts');
  for (const [id, ms] of Object.entries(await benchLabs())) line(`grade ${id} (its solution, in-process)`, `${ms} ms`, '<= 300 ms');
} catch (e) {
  console.log(`lab grading: could not measure: ${e instanceof Error ? e.message : e}`);
}
await optional('./bench-site.ts', 'benchSite');
await optional('./bench-workshop.ts', 'benchWorkshop');
