import type { Simulation, StateEvent, SegmentEvent, SyscallEvent, TraceEvent, OutputEvent } from '../../../src/sim/index.ts';
import { createWorld, type RunSummary, type WorldOptions, type World } from '../../../src/sim/index.ts';

export interface Run {
  world: World;
  summary: RunSummary;
  trace: readonly TraceEvent[];
  /** State changes as "host FROM->TO" strings, in order. */
  states(host?: string): string[];
  /** Segments sent by a host (or all), as tcpdump flag strings. */
  sent(host?: string): SegmentEvent[];
  delivered(host?: string): SegmentEvent[];
  errors(host?: string): SyscallEvent[];
  output(): string[];
}

/** Runs a program (as learners write it) in a fresh world and collects what happened. */
export async function run(program: (sim: Simulation) => void, opts: WorldOptions = {}): Promise<Run> {
  const world = createWorld({ seed: 7, ...opts });
  program(world);
  const summary = await world.run();
  const trace = world.trace;
  return {
    world,
    summary,
    trace,
    states: (host) =>
      trace
        .filter((e): e is StateEvent => e.kind === 'state' && (!host || e.host === host))
        .map((e) => `${e.host} ${e.from}->${e.to}`),
    sent: (host) => trace.filter((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'send' && (!host || e.host === host)),
    delivered: (host) => trace.filter((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'deliver' && (!host || e.host === host)),
    errors: (host) => trace.filter((e): e is SyscallEvent => e.kind === 'syscall' && e.phase === 'error' && (!host || e.host === host)),
    output: () => trace.filter((e): e is OutputEvent => e.kind === 'output').map((e) => e.text),
  };
}
