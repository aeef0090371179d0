// `closing-time grader --database URL`: a grading node. It runs only the
// sandboxed grading pool and takes submissions from the queue in the
// workshop's PostgreSQL database, beside any number of servers and other
// grading nodes. SIGTERM or SIGINT: it stops claiming, finishes what is in
// flight (at most 10 s; the rest goes back to the queue) and exits 0.
import os from 'node:os';
import type { CliOutput } from './output.ts';
import { UsageError } from './usage-error.ts';

export const GRADER_USAGE = `Usage: closing-time grader --database URL [--graders N] [--lease MS]

Grades the submissions queued in a workshop's PostgreSQL database (the servers' DATABASE_URL).
Run as many as you like, on as many machines: each takes jobs under a lease it renews while it
grades, and a node that dies has its jobs taken over by another once the lease runs out.

  --database URL   postgres://user:password@host:5432/db (default: $DATABASE_URL)
  --graders N      grading processes (default: $GRADERS, else one per core)
  --lease MS       how long a claimed job is this node's without renewal (default: $LEASE_MS, else 30000)`;

function intOption(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  return n;
}

export async function graderCommand(argv: readonly string[], io: CliOutput): Promise<number> {
  let databaseUrl = process.env.DATABASE_URL ?? '';
  let graders = process.env.GRADERS ? intOption('GRADERS', process.env.GRADERS, 1, 64) : Math.max(1, os.availableParallelism());
  let leaseMs = process.env.LEASE_MS ? intOption('LEASE_MS', process.env.LEASE_MS, 200, 3_600_000) : undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      io.out(`${GRADER_USAGE}\n`);
      return 0;
    }
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--database') databaseUrl = value();
    else if (a === '--graders') graders = intOption('--graders', value(), 1, 64);
    else if (a === '--lease') leaseMs = intOption('--lease', value(), 200, 3_600_000);
    else throw new UsageError(`unknown option '${a}'`);
  }
  if (!databaseUrl) throw new UsageError('a grading node needs the database: --database postgres://... (or DATABASE_URL)');
  if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) throw new UsageError(`--database must be a PostgreSQL URL (postgres://...), got '${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}'`);

  const { startGraderNode } = await import('../server/grader-node.ts');
  const log = (line: string) => {
    io.out(`${line}\n`);
    io.flush();
  };
  let node;
  try {
    node = await startGraderNode({ databaseUrl, graders, leaseMs, memoryMb: process.env.GRADER_MEMORY_MB ? Number(process.env.GRADER_MEMORY_MB) : undefined, wallMs: process.env.GRADER_WALL_MS ? Number(process.env.GRADER_WALL_MS) : undefined }, log);
  } catch (error) {
    io.err(`closing-time grader: could not start: ${(error as Error).message}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        log(`${sig}: finishing the gradings in flight (at most 10 s), then stopping.`);
        process.once(sig, () => process.exit(1));
        setTimeout(() => process.exit(1), 15_000).unref();
        node.stop(10_000).then(
          () => resolve(0),
          (e) => {
            io.err(`closing-time grader: shutdown failed: ${(e as Error).message}\n`);
            resolve(1);
          },
        );
      });
    }
  });
}
