// Paced delivery: events at the chosen pace, quiet stretches shortened to a second.
import { describe, expect, it } from 'vitest';
import { MAX_QUIET_MS, WAIT_AFTER_SKIP_MS, paceStep, pacedClock, type PaceState } from '../../../src/runner/browser/pacing.ts';

const start = (speed: number): PaceState => ({ speed, startedAt: 1000, skippedMs: 0 });
const at = (...ts: number[]) => ts.map((t) => ({ t }));

describe('paced delivery', () => {
  it('releases an event once the pace reaches its virtual time', () => {
    const pace = start(0.02); // slow motion: 1 virtual ms per 50 real ms
    const queue = at(0, 10, 20);
    expect(paceStep(pace, queue, 1000).due).toBe(1);
    expect(paceStep(pace, queue, 1000 + 499).due).toBe(1);
    expect(paceStep(pace, queue, 1000 + 500).due).toBe(2);
    const step = paceStep(pace, queue, 1000 + 1000);
    expect(step.due).toBe(3);
    expect(step.clockMs).toBeCloseTo(20);
    expect(step.skip).toBeUndefined();
  });

  it('waits for an event up to 1.5 s of real time away without skipping', () => {
    const pace = start(1);
    const step = paceStep(pace, at(MAX_QUIET_MS), 1000);
    expect(step.due).toBe(0);
    expect(step.skip).toBeUndefined();
    expect(step.state).toEqual(pace);
  });

  it('skips a quiet stretch so the next event comes a second later', () => {
    const pace = start(0.02);
    // The four-way close: the last ACK at 50 ms, then TIME_WAIT fires at 60.05 s.
    const queue = at(50, 60_050);
    const now = 1000 + 50 / 0.02;
    const step = paceStep(pace, queue, now);
    expect(step.due).toBe(1);
    expect(step.skip).toEqual({ fromMs: 50, toMs: 60_050 - WAIT_AFTER_SKIP_MS * 0.02 });
    expect(step.clockMs).toBe(step.skip!.toMs);
    // Nothing is due until a second of real time has passed, then the timer is.
    const rest = queue.slice(1);
    expect(paceStep(step.state, rest, now + WAIT_AFTER_SKIP_MS - 20).due).toBe(0);
    const later = paceStep(step.state, rest, now + WAIT_AFTER_SKIP_MS);
    expect(later.due).toBe(1);
    expect(later.skip).toBeUndefined();
  });

  it('keeps the clock running from where the skip left it', () => {
    const pace = start(1);
    const { state } = paceStep(pace, at(60_000), 1000);
    expect(state.skippedMs).toBe(60_000 - WAIT_AFTER_SKIP_MS);
    expect(pacedClock(state, 1000 + 250)).toBe(60_000 - WAIT_AFTER_SKIP_MS + 250);
  });

  it('never skips at a pace where the wait is short anyway', () => {
    // 100×: a 60 s TIME_WAIT is 0.6 s of real time.
    expect(paceStep(start(100), at(60_000), 1000).skip).toBeUndefined();
  });

  it('never skips on an empty queue: the simulation has not said what comes next', () => {
    const step = paceStep(start(0.02), [], 50_000);
    expect(step.due).toBe(0);
    expect(step.skip).toBeUndefined();
  });
});
