// A grading node: only the grading pool, taking jobs from the queue in a
// PostgreSQL database that workshop servers share (`closing-time grader
// --database URL`). It serves no HTTP. Each claim is a lease that the node
// renews while it grades; a node that dies stops renewing, and another node
// takes the job over once the lease runs out.
import { EventHub } from './workshop/events.ts';
import { GradingQueue, type Grader } from './workshop/grading-queue.ts';
import { openPgStorage, redactUrl, type PgStorage } from './workshop/pg-storage.ts';

export interface GraderNodeOptions {
  databaseUrl: string;
  /** Grading child processes. */
  graders: number;
  memoryMb?: number;
  wallMs?: number;
  leaseMs?: number;
}

export interface RunningGraderNode {
  storage: PgStorage;
  queue: GradingQueue;
  /** Stops claiming, lets gradings in flight finish for up to graceMs (the rest go back to the queue), then disconnects. */
  stop(graceMs?: number): Promise<void>;
}

export async function startGraderNode(options: GraderNodeOptions, log: (line: string) => void = console.log, grader?: Grader): Promise<RunningGraderNode> {
  const storage = await openPgStorage(options.databaseUrl, { leaseMs: options.leaseMs, poolSize: Math.max(2, options.graders + 1), onError: (e) => log(`database: ${(e as Error).message}`) });
  const hub = new EventHub();
  // Its 'grading' and 'done' events reach the instructors' dashboards on every server.
  await storage.shareEvents(hub, { listen: false });
  const pool = grader ?? (await import('./grading/pool.ts')).createGradingPool({ size: options.graders, memoryMb: options.memoryMb, wallMs: options.wallMs });
  const queue = new GradingQueue(storage, pool, hub, { onError: (e) => log(`grading queue: ${(e as Error).message}`) });
  const requeued = await queue.start();
  log(`Grading node ${storage.nodeId} is grading for ${redactUrl(options.databaseUrl)} (${pool.size} grading process${pool.size === 1 ? '' : 'es'}, lease ${storage.leaseMs} ms)`);
  if (requeued) log(`${requeued} submission(s) whose node stopped are queued again.`);
  let stopping: Promise<void> | null = null;
  return {
    storage,
    queue,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        await queue.close(graceMs);
        await storage.close();
      })();
      return stopping;
    },
  };
}
