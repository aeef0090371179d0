// Moves a workshop server's SQLite file into an empty PostgreSQL database
// (`closing-time workshop move-to-postgres --database URL`): every workshop,
// learner, session and submission with its grade, keeping ids, so learners'
// cookies and instructor links go on working. One transaction: it all lands or
// nothing does. Stop the server first; then start it with DATABASE_URL.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { migratePg } from './pg-storage.ts';
import { migrate } from './sqlite-storage.ts';

/** In the order their foreign keys need. */
const TABLES = ['workshops', 'learners', 'sessions', 'submissions'] as const;
const BATCH = 200;

export async function moveSqliteToPostgres(sqliteFile: string, databaseUrl: string): Promise<Record<(typeof TABLES)[number], number>> {
  if (!existsSync(sqliteFile)) throw new Error(`there is no workshop database at ${sqliteFile}`);
  const db = new Database(sqliteFile);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    // Both at the newest schema, so that the columns are the same (tests/server/pg-storage.test.ts keeps them in step).
    db.pragma('busy_timeout = 5000');
    migrate(db);
    await migratePg(pool);
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const existing = (await c.query('SELECT COUNT(*)::int AS n FROM workshops')).rows[0].n as number;
      if (existing) throw new Error(`the PostgreSQL database already holds ${existing} workshop(s); move into an empty one`);
      const counts = {} as Record<(typeof TABLES)[number], number>;
      for (const table of TABLES) {
        const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((col) => col.name);
        const rows = db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY rowid`).raw().all() as unknown[][];
        for (let i = 0; i < rows.length; i += BATCH) {
          const batch = rows.slice(i, i + BATCH);
          const values: unknown[] = [];
          const tuples = batch.map((row) => `(${row.map((v) => (values.push(v), `$${values.length}`)).join(', ')})`);
          await c.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
        }
        counts[table] = rows.length;
      }
      // New rows number on from the moved ones.
      await c.query("SELECT setval(pg_get_serial_sequence('workshops', 'id'), COALESCE((SELECT MAX(id) FROM workshops), 0) + 1, false)");
      await c.query("SELECT setval(pg_get_serial_sequence('submissions', 'seq'), COALESCE((SELECT MAX(seq) FROM submissions), 0) + 1, false)");
      // A grading the stopped server left unfinished is queued again for the grading nodes.
      await c.query("UPDATE submissions SET status = 'queued', generation = generation + 1, claimed_at = NULL WHERE status = 'grading'");
      await c.query('COMMIT');
      return counts;
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      c.release();
    }
  } finally {
    db.close();
    await pool.end();
  }
}
