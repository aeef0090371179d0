// The shared storage: PostgreSQL through node-postgres (pg), for a workshop
// served by several processes (servers behind a load balancer, grading nodes)
// on one database. `DATABASE_URL=postgres://... npm start` selects it.
//
// - Sessions and tokens are rows, so any server answers any request: no sticky
//   sessions.
// - The queue is the submissions table: a node claims the oldest queued row with
//   FOR UPDATE SKIP LOCKED (two nodes never get the same row) and holds it under
//   a lease (lease_until, leased_by) that it renews while grading. A node that
//   dies stops renewing; once the lease runs out another node claims the row
//   again with its generation bumped, so the dead node's late result is refused
//   by finishGrading and the record gets exactly one grading.
// - NOTIFY tells the other processes about new work (closing_time_queue) and
//   carries the dashboard's live events (closing_time_events); each process
//   LISTENs on one dedicated connection.
// - Durability: a statement returns after its commit, and PostgreSQL's default
//   synchronous_commit=on has flushed the commit's WAL to disk by then.
import pg from 'pg';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { EventHub, WorkshopEvent } from './events.ts';
import { META_COLUMNS, learnerOf, metaOf, submissionOf, workshopOf, type Row } from './rows.ts';
import { MIGRATIONS, migrationSql, type Migration } from './migrations.ts';
import type { GradedRecord, LearnerRow, NewSubmission, SessionRow, Storage, SubmissionMeta, SubmissionRow, WorkshopRow, WorkshopSummary } from './storage.ts';

export const EVENTS_CHANNEL = 'closing_time_events';
export const QUEUE_CHANNEL = 'closing_time_queue';
/** Held while migrating, so that servers starting together apply each migration once. */
const MIGRATION_LOCK = 0x436c6f73;

const SUBMISSION_COLUMNS = `${META_COLUMNS}, source, result`;

/** The latest submission per learner and lab of a workshop ($1), as seqs. */
const LATEST_SEQS = 'SELECT MAX(seq) AS seq FROM submissions WHERE workshop_id = $1 GROUP BY learner_id, lab';

export interface PgStorageOptions {
  /** How long a claimed grading is this node's without renewal, ms. Default 30000. */
  leaseMs?: number;
  /** This process's name in leased_by and in its notifications. Default host, pid and a random tag. */
  nodeId?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Where failures of the listening connection are reported. */
  onError?: (error: unknown) => void;
}

export interface PgStorage extends Storage {
  readonly kind: 'postgres';
  readonly nodeId: string;
  readonly leaseMs: number;
  renewLease(id: string, generation: number): Promise<boolean>;
  watchQueue(onWork: () => void): Promise<void>;
  /**
   * Relays the hub's events to every process on the database and (unless
   * listen is false: a grading node has no dashboards) delivers theirs to it;
   * resolves once listening.
   */
  shareEvents(hub: EventHub, options?: { listen?: boolean }): Promise<void>;
}

/** Applies the migrations the database has not seen yet, each in its own transaction, under an advisory lock. */
export async function migratePg(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const done = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const newest = Math.max(0, ...done);
      const known = Math.max(0, ...migrations.map((m) => m.version));
      if (newest > known) throw new Error(`the workshop database is at schema version ${newest}, newer than this server knows (${known}): upgrade Closing Time`);
      const applied: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        await c.query('BEGIN');
        try {
          await c.query(migrationSql(m, 'pg'));
          await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
          await c.query('COMMIT');
        } catch (error) {
          await c.query('ROLLBACK');
          throw error;
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    c.release();
  }
}

/** Whether a database URL names PostgreSQL (postgres:// or postgresql://). */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

/** A URL with its password replaced, for the log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return 'postgres://…';
  }
}

export async function openPgStorage(url: string, options: PgStorageOptions = {}): Promise<PgStorage> {
  const leaseMs = options.leaseMs ?? 30_000;
  const nodeId = options.nodeId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, application_name: 'closing-time' });
  // An idle connection that the database drops must not take the process down; the next query reconnects.
  pool.on('error', (e) => options.onError?.(e));
  await migratePg(pool);

  const query = async (text: string, values: unknown[] = []): Promise<Row[]> => (await pool.query(text, values)).rows;
  const one = async (text: string, values: unknown[] = []): Promise<Row | null> => (await query(text, values))[0] ?? null;
  const transaction = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      c.release();
    }
  };
  const notifyQueue = "SELECT pg_notify('" + QUEUE_CHANNEL + "', '')";

  // The one listening connection, opened at the first watchQueue or shareEvents.
  const handlers = new Map<string, (payload: string) => void>();
  let listener: pg.Client | null = null;
  let listening: Promise<pg.Client> | null = null;
  let closed = false;
  /** Notifications on their way: close() lets them go out first. */
  const sending = new Set<Promise<unknown>>();
  const connectListener = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: url, application_name: 'closing-time listener' });
    c.on('notification', (n) => handlers.get(n.channel)?.(n.payload ?? ''));
    c.on('error', (e) => {
      options.onError?.(e);
      if (listener === c) {
        listener = null;
        listening = null;
        // Reconnect and listen again; meanwhile the queue's poll still finds work.
        if (!closed) setTimeout(() => void listen().catch((err) => options.onError?.(err)), 1000).unref();
      }
    });
    await c.connect();
    for (const ch of handlers.keys()) await c.query(`LISTEN ${ch}`);
    listener = c;
    return c;
  };
  const listen = async (channel?: string): Promise<void> => {
    const fresh = !listening;
    listening ??= connectListener();
    const c = await listening;
    if (channel && !fresh) await c.query(`LISTEN ${channel}`);
  };

  const listenEvents = async (hub: EventHub): Promise<void> => {
    handlers.set(EVENTS_CHANNEL, (payload) => {
      let m: { o: string; w: number; e: WorkshopEvent };
      try {
        m = JSON.parse(payload);
      } catch {
        return;
      }
      // This process delivered its own events already, at once.
      if (m.o !== nodeId) hub.deliver(m.w, m.e);
    });
    await listen(EVENTS_CHANNEL);
  };

  const storage: PgStorage = {
    kind: 'postgres',
    nodeId,
    leaseMs,
    async createWorkshop(w) {
      const r = (await one('INSERT INTO workshops (code, title, instructor_token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id', [w.code, w.title, w.instructorTokenHash, w.createdAt]))!;
      return { id: r.id as number, code: w.code, title: w.title, instructorTokenHash: w.instructorTokenHash, createdAt: w.createdAt, closedAt: null, solutionsHidden: false };
    },
    async workshopByCode(code) {
      const r = await one('SELECT * FROM workshops WHERE code = $1', [code]);
      return r ? workshopOf(r) : null;
    },
    async workshopById(id) {
      const r = await one('SELECT * FROM workshops WHERE id = $1', [id]);
      return r ? workshopOf(r) : null;
    },
    async listWorkshops(): Promise<WorkshopSummary[]> {
      const rows = await query(`SELECT w.*,
          (SELECT COUNT(*)::int FROM learners l WHERE l.workshop_id = w.id AND l.removed_at IS NULL) AS learner_count,
          (SELECT COUNT(*)::int FROM submissions s WHERE s.workshop_id = w.id) AS submission_count
        FROM workshops w ORDER BY w.id`);
      return rows.map((r) => ({
        code: r.code as string,
        title: r.title as string,
        createdAt: r.created_at as string,
        closed: r.closed_at !== null,
        learners: r.learner_count as number,
        submissions: r.submission_count as number,
      }));
    },
    async setWorkshopClosed(id, closedAt) {
      await query('UPDATE workshops SET closed_at = $1 WHERE id = $2', [closedAt, id]);
    },
    async setSolutionsHidden(id, hidden) {
      await query('UPDATE workshops SET solutions_hidden = $1 WHERE id = $2', [hidden ? 1 : 0, id]);
    },
    async addLearner(l) {
      try {
        await query('INSERT INTO learners (id, workshop_id, name, name_key, joined_at, last_seen) VALUES ($1, $2, $3, $4, $5, $5)', [l.id, l.workshopId, l.name, l.nameKey, l.joinedAt]);
        return 'ok';
      } catch (error) {
        // The partial unique index learners_name decides, so two servers joining the same name at once cannot both win.
        const e = error as { code?: string; constraint?: string };
        if (e.code === '23505' && e.constraint === 'learners_name') return 'name_taken';
        throw error;
      }
    },
    async learner(id) {
      const r = await one('SELECT * FROM learners WHERE id = $1', [id]);
      return r ? learnerOf(r) : null;
    },
    async learners(workshopId) {
      return (await query('SELECT * FROM learners WHERE workshop_id = $1 AND removed_at IS NULL ORDER BY joined_at, id', [workshopId])).map(learnerOf);
    },
    async removeLearner(workshopId, learnerId, at) {
      return transaction(async (c) => {
        const changed = ((await c.query('UPDATE learners SET removed_at = $1 WHERE id = $2 AND workshop_id = $3 AND removed_at IS NULL', [at, learnerId, workshopId])).rowCount ?? 0) > 0;
        if (changed) await c.query('DELETE FROM sessions WHERE learner_id = $1', [learnerId]);
        return changed;
      });
    },
    async touchLearner(id, at) {
      await query('UPDATE learners SET last_seen = $1 WHERE id = $2', [at, id]);
    },
    async createSession(s) {
      await query('INSERT INTO sessions (token_hash, kind, workshop_id, learner_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [s.tokenHash, s.kind, s.workshopId, s.learnerId, s.createdAt, s.expiresAt]);
    },
    async session(tokenHash) {
      const r = await one('SELECT * FROM sessions WHERE token_hash = $1', [tokenHash]);
      if (!r) return null;
      return { tokenHash: r.token_hash as string, kind: r.kind as SessionRow['kind'], workshopId: r.workshop_id as number, learnerId: (r.learner_id as string | null) ?? null, expiresAt: r.expires_at as string };
    },
    async deleteSession(tokenHash) {
      await query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    },
    async addSubmission(s: NewSubmission) {
      // One statement, one commit: the row and the wake-up for idle grading nodes (sent at commit).
      await query(
        `WITH ins AS (INSERT INTO submissions (id, workshop_id, learner_id, lab, source, status, browser_score, browser_max, lang, created_at)
           VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $9) RETURNING 1)
         SELECT pg_notify('${QUEUE_CHANNEL}', '') FROM ins`,
        [s.id, s.workshopId, s.learnerId, s.lab, s.source, s.browserScore, s.browserMax, s.lang ?? 'en', s.createdAt],
      );
    },
    async submission(id) {
      const r = await one(`SELECT ${SUBMISSION_COLUMNS} FROM submissions WHERE id = $1`, [id]);
      return r ? submissionOf(r) : null;
    },
    async claimNext(at) {
      const claim = (pick: string, bump: string) =>
        one(
          `UPDATE submissions s SET status = 'grading', generation = ${bump}, claimed_at = $1, leased_by = $2,
             lease_until = now() + $3 * interval '1 millisecond'
           WHERE s.seq = (SELECT seq FROM submissions WHERE ${pick} ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING ${SUBMISSION_COLUMNS.replace(/(\w+)/g, 's.$1')}`,
          [at, nodeId, leaseMs],
        );
      // A grading whose node stopped renewing its lease first (it is the older work), then the queue.
      const r = (await claim("status = 'grading' AND (lease_until IS NULL OR lease_until < now())", 's.generation + 1')) ?? (await claim("status = 'queued'", 's.generation'));
      return r ? submissionOf(r) : null;
    },
    async renewLease(id, generation) {
      const r = await pool.query(
        "UPDATE submissions SET lease_until = now() + $4 * interval '1 millisecond' WHERE id = $1 AND generation = $2 AND status = 'grading' AND leased_by = $3",
        [id, generation, nodeId, leaseMs],
      );
      return (r.rowCount ?? 0) > 0;
    },
    async finishGrading(id, generation, g: GradedRecord) {
      const r = await pool.query(
        "UPDATE submissions SET status = 'done', result = $1, score = $2, max_score = $3, result_status = $4, graded_at = $5, lease_until = NULL WHERE id = $6 AND generation = $7 AND status = 'grading'",
        [g.result, g.score, g.maxScore, g.resultStatus, g.gradedAt, id, generation],
      );
      return (r.rowCount ?? 0) > 0;
    },
    async requeue(id, generation) {
      const r = await query(
        `WITH up AS (UPDATE submissions SET status = 'queued', claimed_at = NULL, lease_until = NULL, leased_by = NULL
           WHERE id = $1 AND generation = $2 AND status = 'grading' RETURNING 1)
         SELECT COUNT(*)::int AS n, pg_notify('${QUEUE_CHANNEL}', '') FROM up`,
        [id, generation],
      );
      return (r[0]!.n as number) > 0;
    },
    async requeueAbandoned() {
      // Only gradings whose lease ran out: the others belong to live nodes.
      const r = await query(
        `WITH up AS (UPDATE submissions SET status = 'queued', generation = generation + 1, claimed_at = NULL, lease_until = NULL, leased_by = NULL
           WHERE status = 'grading' AND (lease_until IS NULL OR lease_until < now()) RETURNING 1)
         SELECT COUNT(*)::int AS n FROM up`,
      );
      const n = r[0]!.n as number;
      if (n) await query(notifyQueue);
      return n;
    },
    async pendingCount(learnerId) {
      const r = learnerId === undefined
        ? await one("SELECT COUNT(*)::int AS n FROM submissions WHERE status IN ('queued', 'grading')")
        : await one("SELECT COUNT(*)::int AS n FROM submissions WHERE learner_id = $1 AND status IN ('queued', 'grading')", [learnerId]);
      return r!.n as number;
    },
    async submissionMetas(workshopId, learnerId) {
      const rows = learnerId === undefined
        ? await query(`SELECT ${META_COLUMNS} FROM submissions WHERE workshop_id = $1 ORDER BY seq`, [workshopId])
        : await query(`SELECT ${META_COLUMNS} FROM submissions WHERE workshop_id = $1 AND learner_id = $2 ORDER BY seq`, [workshopId, learnerId]);
      return rows.map(metaOf);
    },
    async latestSubmissions(workshopId, learnerId) {
      const rows = learnerId === undefined
        ? await query(
            `SELECT s.* FROM submissions s JOIN (${LATEST_SEQS}) m ON m.seq = s.seq
             JOIN learners l ON l.id = s.learner_id AND l.removed_at IS NULL ORDER BY s.seq`,
            [workshopId],
          )
        : await query(
            `SELECT s.* FROM submissions s
             JOIN (SELECT MAX(seq) AS seq FROM submissions WHERE workshop_id = $1 AND learner_id = $2 GROUP BY lab) m ON m.seq = s.seq
             ORDER BY s.seq`,
            [workshopId, learnerId],
          );
      return rows.map(submissionOf);
    },
    async latestGraded(workshopId) {
      const rows = await query(
        `SELECT s.* FROM submissions s
         JOIN (SELECT MAX(seq) AS seq FROM submissions WHERE workshop_id = $1 AND status = 'done' GROUP BY learner_id, lab) m ON m.seq = s.seq
         JOIN learners l ON l.id = s.learner_id AND l.removed_at IS NULL ORDER BY s.seq`,
        [workshopId],
      );
      return rows.map(submissionOf);
    },
    async regradeLatest(workshopId) {
      return transaction(async (c) => {
        const rows = (
          await c.query(
            `WITH pick AS (SELECT s.seq FROM submissions s JOIN (${LATEST_SEQS}) m ON m.seq = s.seq
                 JOIN learners l ON l.id = s.learner_id AND l.removed_at IS NULL),
               up AS (UPDATE submissions s SET status = 'queued', generation = s.generation + 1, claimed_at = NULL, lease_until = NULL, leased_by = NULL
                 FROM pick WHERE s.seq = pick.seq RETURNING s.id, s.seq)
             SELECT id FROM up ORDER BY seq`,
            [workshopId],
          )
        ).rows as { id: string }[];
        if (rows.length) await c.query(notifyQueue);
        return rows.map((r) => r.id);
      });
    },
    async watchQueue(onWork) {
      handlers.set(QUEUE_CHANNEL, () => onWork());
      await listen(QUEUE_CHANNEL);
    },
    async shareEvents(hub, { listen: wanted = true } = {}) {
      if (wanted) await listenEvents(hub);
      hub.relayTo({
        send(workshopId, event) {
          if (closed) return;
          const sent: Promise<unknown> = pool
            .query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify({ o: nodeId, w: workshopId, e: event })])
            .catch((e) => options.onError?.(e))
            .finally(() => sending.delete(sent));
          sending.add(sent);
        },
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...sending]);
      const l = listener;
      listener = null;
      await l?.end().catch(() => undefined);
      await pool.end();
    },
  };
  return storage;
}
