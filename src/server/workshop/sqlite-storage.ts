// The default storage: one SQLite file (DATA_DIR/workshop.sqlite) through
// better-sqlite3, in WAL mode, every statement prepared once.
//
// Durability: journal_mode=WAL with synchronous=FULL. In WAL mode NORMAL already
// keeps every committed transaction across a killed process (kill -9: the WAL is
// in the OS's page cache and is replayed at the next open); FULL also syncs the
// WAL at each commit, so an acknowledged submission survives a power cut or a
// kernel crash of the instructor's laptop too. The price is one fsync per
// commit, far below what grading costs per submission.
//
// One connection, in the server process: the grading children never open the
// file (they send results back over IPC), so there is exactly one writer.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { META_COLUMNS, learnerOf, metaOf, submissionOf, workshopOf, type Row } from './rows.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';
import type {
  GradedRecord,
  LearnerRow,
  NewSubmission,
  SessionRow,
  Storage,
  SubmissionMeta,
  SubmissionRow,
  WorkshopRow,
  WorkshopSummary,
} from './storage.ts';


/** Applies the migrations the database has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const newest = Math.max(0, ...done);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (newest > known) throw new Error(`the workshop database is at schema version ${newest}, newer than this server knows (${known}): upgrade Closing Time`);
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}

export function openSqliteStorage(dataDir: string, fileName = 'workshop.sqlite'): Storage {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, fileName));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // The CLI may write while the server runs: wait for its lock rather than fail.
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const q = {
    insertWorkshop: db.prepare('INSERT INTO workshops (code, title, instructor_token_hash, created_at) VALUES (?, ?, ?, ?)'),
    workshopByCode: db.prepare('SELECT * FROM workshops WHERE code = ?'),
    workshopById: db.prepare('SELECT * FROM workshops WHERE id = ?'),
    listWorkshops: db.prepare(`SELECT w.*,
        (SELECT COUNT(*) FROM learners l WHERE l.workshop_id = w.id AND l.removed_at IS NULL) AS learner_count,
        (SELECT COUNT(*) FROM submissions s WHERE s.workshop_id = w.id) AS submission_count
      FROM workshops w ORDER BY w.id`),
    setClosed: db.prepare('UPDATE workshops SET closed_at = ? WHERE id = ?'),
    setSolutionsHidden: db.prepare('UPDATE workshops SET solutions_hidden = ? WHERE id = ?'),
    insertLearner: db.prepare('INSERT INTO learners (id, workshop_id, name, name_key, joined_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)'),
    nameTaken: db.prepare('SELECT 1 FROM learners WHERE workshop_id = ? AND name_key = ? AND removed_at IS NULL'),
    learner: db.prepare('SELECT * FROM learners WHERE id = ?'),
    learners: db.prepare('SELECT * FROM learners WHERE workshop_id = ? AND removed_at IS NULL ORDER BY joined_at, id'),
    removeLearner: db.prepare('UPDATE learners SET removed_at = ? WHERE id = ? AND workshop_id = ? AND removed_at IS NULL'),
    endLearnerSessions: db.prepare('DELETE FROM sessions WHERE learner_id = ?'),
    touchLearner: db.prepare('UPDATE learners SET last_seen = ? WHERE id = ?'),
    insertSession: db.prepare('INSERT INTO sessions (token_hash, kind, workshop_id, learner_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)'),
    session: db.prepare('SELECT * FROM sessions WHERE token_hash = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    insertSubmission: db.prepare(
      "INSERT INTO submissions (id, workshop_id, learner_id, lab, source, status, browser_score, browser_max, lang, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
    ),
    submission: db.prepare('SELECT * FROM submissions WHERE id = ?'),
    nextQueued: db.prepare("SELECT * FROM submissions WHERE status = 'queued' ORDER BY seq LIMIT 1"),
    markGrading: db.prepare("UPDATE submissions SET status = 'grading', claimed_at = ? WHERE id = ? AND status = 'queued'"),
    finish: db.prepare(
      "UPDATE submissions SET status = 'done', result = ?, score = ?, max_score = ?, result_status = ?, graded_at = ? WHERE id = ? AND generation = ? AND status = 'grading'",
    ),
    requeue: db.prepare("UPDATE submissions SET status = 'queued', claimed_at = NULL WHERE id = ? AND generation = ? AND status = 'grading'"),
    requeueAbandoned: db.prepare("UPDATE submissions SET status = 'queued', claimed_at = NULL WHERE status = 'grading'"),
    pending: db.prepare("SELECT COUNT(*) AS n FROM submissions WHERE status IN ('queued', 'grading')"),
    pendingFor: db.prepare("SELECT COUNT(*) AS n FROM submissions WHERE learner_id = ? AND status IN ('queued', 'grading')"),
    metas: db.prepare(`SELECT ${META_COLUMNS} FROM submissions WHERE workshop_id = ? ORDER BY seq`),
    metasFor: db.prepare(`SELECT ${META_COLUMNS} FROM submissions WHERE workshop_id = ? AND learner_id = ? ORDER BY seq`),
    latest: db.prepare(`SELECT s.* FROM submissions s
      JOIN (SELECT learner_id, lab, MAX(seq) AS seq FROM submissions WHERE workshop_id = ? GROUP BY learner_id, lab) m ON m.seq = s.seq
      JOIN learners l ON l.id = s.learner_id AND l.removed_at IS NULL
      ORDER BY s.seq`),
    latestFor: db.prepare(`SELECT s.* FROM submissions s
      JOIN (SELECT lab, MAX(seq) AS seq FROM submissions WHERE workshop_id = ? AND learner_id = ? GROUP BY lab) m ON m.seq = s.seq
      ORDER BY s.seq`),
    latestGraded: db.prepare(`SELECT s.* FROM submissions s
      JOIN (SELECT learner_id, lab, MAX(seq) AS seq FROM submissions WHERE workshop_id = ? AND status = 'done' GROUP BY learner_id, lab) m ON m.seq = s.seq
      JOIN learners l ON l.id = s.learner_id AND l.removed_at IS NULL
      ORDER BY s.seq`),
    regradeIds: db.prepare(`SELECT s.id FROM submissions s
      JOIN (SELECT learner_id, lab, MAX(seq) AS seq FROM submissions WHERE workshop_id = ? GROUP BY learner_id, lab) m ON m.seq = s.seq
      JOIN learners l ON l.id = s.learner_id AND l.removed_at IS NULL
      ORDER BY s.seq`),
    requeueForRegrade: db.prepare("UPDATE submissions SET status = 'queued', generation = generation + 1, claimed_at = NULL WHERE id = ?"),
  };

  const claim = db.transaction((at: string): SubmissionRow | null => {
    const r = q.nextQueued.get() as Row | undefined;
    if (!r) return null;
    q.markGrading.run(at, r.id);
    return submissionOf({ ...r, status: 'grading' });
  });
  const addLearner = db.transaction((l: { id: string; workshopId: number; name: string; nameKey: string; joinedAt: string }) => {
    if (q.nameTaken.get(l.workshopId, l.nameKey)) return 'name_taken' as const;
    q.insertLearner.run(l.id, l.workshopId, l.name, l.nameKey, l.joinedAt, l.joinedAt);
    return 'ok' as const;
  });
  const removeLearner = db.transaction((workshopId: number, learnerId: string, at: string) => {
    const changed = q.removeLearner.run(at, learnerId, workshopId).changes > 0;
    if (changed) q.endLearnerSessions.run(learnerId);
    return changed;
  });
  const regrade = db.transaction((workshopId: number) => {
    const ids = (q.regradeIds.all(workshopId) as { id: string }[]).map((r) => r.id);
    for (const id of ids) q.requeueForRegrade.run(id);
    return ids;
  });

  return {
    kind: 'sqlite',
    async createWorkshop(w) {
      const info = q.insertWorkshop.run(w.code, w.title, w.instructorTokenHash, w.createdAt);
      return { id: Number(info.lastInsertRowid), code: w.code, title: w.title, instructorTokenHash: w.instructorTokenHash, createdAt: w.createdAt, closedAt: null, solutionsHidden: false };
    },
    async workshopByCode(code) {
      const r = q.workshopByCode.get(code) as Row | undefined;
      return r ? workshopOf(r) : null;
    },
    async workshopById(id) {
      const r = q.workshopById.get(id) as Row | undefined;
      return r ? workshopOf(r) : null;
    },
    async listWorkshops(): Promise<WorkshopSummary[]> {
      return (q.listWorkshops.all() as Row[]).map((r) => ({
        code: r.code as string,
        title: r.title as string,
        createdAt: r.created_at as string,
        closed: r.closed_at !== null,
        learners: r.learner_count as number,
        submissions: r.submission_count as number,
      }));
    },
    async setWorkshopClosed(id, closedAt) {
      q.setClosed.run(closedAt, id);
    },
    async setSolutionsHidden(id, hidden) {
      q.setSolutionsHidden.run(hidden ? 1 : 0, id);
    },
    async addLearner(l) {
      return addLearner(l);
    },
    async learner(id) {
      const r = q.learner.get(id) as Row | undefined;
      return r ? learnerOf(r) : null;
    },
    async learners(workshopId) {
      return (q.learners.all(workshopId) as Row[]).map(learnerOf);
    },
    async removeLearner(workshopId, learnerId, at) {
      return removeLearner(workshopId, learnerId, at);
    },
    async touchLearner(id, at) {
      q.touchLearner.run(at, id);
    },
    async createSession(s) {
      q.insertSession.run(s.tokenHash, s.kind, s.workshopId, s.learnerId, s.createdAt, s.expiresAt);
    },
    async session(tokenHash) {
      const r = q.session.get(tokenHash) as Row | undefined;
      if (!r) return null;
      return { tokenHash: r.token_hash as string, kind: r.kind as SessionRow['kind'], workshopId: r.workshop_id as number, learnerId: (r.learner_id as string | null) ?? null, expiresAt: r.expires_at as string };
    },
    async deleteSession(tokenHash) {
      q.deleteSession.run(tokenHash);
    },
    async addSubmission(s: NewSubmission) {
      // Autocommit: when run() returns, the row is in the WAL (and synced: synchronous=FULL).
      q.insertSubmission.run(s.id, s.workshopId, s.learnerId, s.lab, s.source, s.browserScore, s.browserMax, s.lang ?? 'en', s.createdAt);
    },
    async submission(id) {
      const r = q.submission.get(id) as Row | undefined;
      return r ? submissionOf(r) : null;
    },
    async claimNext(at) {
      return claim(at);
    },
    async finishGrading(id, generation, g: GradedRecord) {
      return q.finish.run(g.result, g.score, g.maxScore, g.resultStatus, g.gradedAt, id, generation).changes > 0;
    },
    async requeue(id, generation) {
      return q.requeue.run(id, generation).changes > 0;
    },
    async requeueAbandoned() {
      return q.requeueAbandoned.run().changes;
    },
    async pendingCount(learnerId) {
      const r = (learnerId === undefined ? q.pending.get() : q.pendingFor.get(learnerId)) as { n: number };
      return r.n;
    },
    async submissionMetas(workshopId, learnerId) {
      const rows = (learnerId === undefined ? q.metas.all(workshopId) : q.metasFor.all(workshopId, learnerId)) as Row[];
      return rows.map(metaOf);
    },
    async latestSubmissions(workshopId, learnerId) {
      const rows = (learnerId === undefined ? q.latest.all(workshopId) : q.latestFor.all(workshopId, learnerId)) as Row[];
      return rows.map(submissionOf);
    },
    async latestGraded(workshopId) {
      return (q.latestGraded.all(workshopId) as Row[]).map(submissionOf);
    },
    async regradeLatest(workshopId) {
      return regrade(workshopId);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
