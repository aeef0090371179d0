// The durable grading queue. The database is the queue: a submission is stored
// as 'queued' before the learner gets their 202, claimed ('grading') when a
// grader is free, and recorded ('done') with the generation it was claimed
// with, so a regrade that overtakes a running grading is never overwritten by
// it. At start, whatever a killed server left in 'grading' goes back to 'queued'.
// On a shared backend (PostgreSQL, several processes) a claim is a lease: the
// queue renews it while the grading runs, and looks for work when another
// process queues some and at a short interval (a lease that ran out elsewhere).
import type { GradeLang } from '../../grading/messages.ts';
import type { GradeResult } from '../../grading/result-types.ts';
import type { EventHub } from './events.ts';
import type { Storage, SubmissionRow } from './storage.ts';

/** What the queue needs of the grading pool (src/server/grading/pool.ts). */
export interface Grader {
  readonly size: number;
  grade(job: { id: string; lab: string; source: string; lang?: GradeLang }): Promise<GradeResult>;
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface QueueOptions {
  /** Most submissions queued or grading at once, across workshops; past it, submit answers 429. */
  maxPending?: number;
  /** Most queued or grading submissions of one learner. */
  maxPendingPerLearner?: number;
  /** Called with each failure of the queue's own (storage) work, for the log. */
  onError?: (error: unknown) => void;
  /** On a leasing backend, how often to look for work nobody announced (a lease that ran out), ms. Default a quarter of the lease, at most 1000. */
  pollMs?: number;
}

export class GradingQueue {
  readonly maxPending: number;
  readonly maxPendingPerLearner: number;
  private inFlight = 0;
  private closing = false;
  private pumping = false;
  private again = false;
  private readonly running = new Set<Promise<void>>();
  /** Recent gradings' real durations, ms, for Retry-After. */
  private readonly recent: number[] = [];
  private poll: NodeJS.Timeout | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly grader: Grader,
    private readonly hub: EventHub,
    private readonly options: QueueOptions = {},
  ) {
    this.maxPending = options.maxPending ?? 500;
    this.maxPendingPerLearner = options.maxPendingPerLearner ?? 3;
  }

  /** Requeues what a stopped server left half-graded, then starts grading. */
  async start(): Promise<number> {
    const n = await this.storage.requeueAbandoned();
    if (this.storage.leaseMs !== undefined && this.grader.size > 0) {
      await this.storage.watchQueue?.(() => this.kick());
      const every = this.options.pollMs ?? Math.min(1000, Math.max(50, Math.floor(this.storage.leaseMs / 4)));
      this.poll = setInterval(() => this.kick(), every);
      this.poll.unref();
    }
    this.kick();
    return n;
  }

  /** Whether a new submission may enter: null, or why not with a Retry-After in seconds. */
  async admission(learnerId: string): Promise<null | { reason: 'queue_full' | 'too_many_pending'; retryAfter: number; message: string }> {
    const [all, mine] = await Promise.all([this.storage.pendingCount(), this.storage.pendingCount(learnerId)]);
    if (mine >= this.maxPendingPerLearner) {
      return { reason: 'too_many_pending', retryAfter: this.retryAfter(mine), message: `You have ${mine} submissions waiting to be graded; wait for them before sending another.` };
    }
    if (all >= this.maxPending) {
      return { reason: 'queue_full', retryAfter: this.retryAfter(all), message: `The grading queue is full (${all} submissions waiting); try again in a few seconds.` };
    }
    return null;
  }

  /** Seconds until about `waiting` gradings have finished, from recent durations (1 to 60). */
  retryAfter(waiting: number): number {
    const avg = this.recent.length ? this.recent.reduce((a, b) => a + b, 0) / this.recent.length : 1000;
    return Math.max(1, Math.min(60, Math.ceil((waiting * avg) / 1000 / Math.max(1, this.grader.size))));
  }

  /** Looks for queued work (call after storing a submission or requeueing). */
  kick(): void {
    if (this.closing) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async pump(): Promise<void> {
    while (!this.closing && this.inFlight < this.grader.size) {
      let job: SubmissionRow | null;
      try {
        job = await this.storage.claimNext(new Date().toISOString());
      } catch (error) {
        this.options.onError?.(error);
        return;
      }
      if (!job) return;
      this.inFlight++;
      this.hub.publish(job.workshopId, { type: 'submission', data: { id: job.id, learnerId: job.learnerId, lab: job.lab, status: 'grading' } });
      const p = this.run(job).finally(() => {
        this.inFlight--;
        this.running.delete(p);
        this.kick();
      });
      this.running.add(p);
    }
  }

  private async run(job: SubmissionRow): Promise<void> {
    const started = Date.now();
    let result: GradeResult;
    const lease = this.keepLease(job);
    try {
      result = await this.grader.grade({ id: job.id, lab: job.lab, source: job.source, lang: job.lang });
    } catch (error) {
      lease.stop();
      // The pool closed under it (shutdown): the job goes back to the queue for the next start.
      await this.storage.requeue(job.id, job.generation).catch((e) => this.options.onError?.(e));
      if (!this.closing) this.options.onError?.(error);
      return;
    }
    lease.stop();
    this.recent.push(Date.now() - started);
    if (this.recent.length > 50) this.recent.shift();
    try {
      const landed = await this.storage.finishGrading(job.id, job.generation, {
        result: JSON.stringify(result),
        score: result.score,
        maxScore: result.max_score,
        resultStatus: result.status,
        gradedAt: new Date().toISOString(),
      });
      if (landed) {
        this.hub.publish(job.workshopId, {
          type: 'submission',
          data: { id: job.id, learnerId: job.learnerId, lab: job.lab, status: 'done', score: result.score, max_score: result.max_score, resultStatus: result.status },
        });
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Renews a leased claim at a third of the lease while the grading runs (a no-op where the backend does not lease). */
  private keepLease(job: SubmissionRow): { stop(): void } {
    const leaseMs = this.storage.leaseMs;
    if (leaseMs === undefined || !this.storage.renewLease) return { stop() {} };
    const timer = setInterval(() => {
      this.storage.renewLease!(job.id, job.generation).then(
        (held) => {
          // Lost (another node took it over after a stall): its result will be refused; nothing else to do.
          if (!held) clearInterval(timer);
        },
        (e) => this.options.onError?.(e),
      );
    }, Math.max(20, Math.floor(leaseMs / 3)));
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  stats(): { inFlight: number; size: number } {
    return { inFlight: this.inFlight, size: this.grader.size };
  }

  /**
   * Stops claiming, lets gradings in flight finish for up to graceMs, then
   * stops the graders; what did not finish is back in the queue for the next start.
   */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    if (this.poll) clearInterval(this.poll);
    await this.grader.close({ graceMs });
    await Promise.allSettled([...this.running]);
  }
}
