// The simulator's entry point for the other layers (runner, grading, tests).
// Learner programs see only the `Simulation` interface of types/closing-time.d.ts.
export { createWorld } from './world.ts';
export type { World, WorldOptions, RunSummary, BlockedProcess, TimeWaitPolicy, TimeWaitView, TimeWaitVerdict } from './world-types.ts';
export { SocketError } from './errors.ts';
export { Prng } from './prng.ts';
export type * from '../../types/closing-time.d.ts';
