// The workshop database's schema, as numbered migrations applied in order at
// start (each in its own transaction, recorded in schema_migrations). A
// migration, once released, is never edited: a change is a new migration.
// The SQL is kept to what SQLite and PostgreSQL both accept where that is free.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'workshops, learners, sessions, submissions',
    sql: `
CREATE TABLE workshops (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  instructor_token_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  closed_at TEXT
);

CREATE TABLE learners (
  id TEXT PRIMARY KEY,
  workshop_id INTEGER NOT NULL REFERENCES workshops(id),
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  joined_at TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  removed_at TEXT
);
-- One display name per workshop among the learners still in it.
CREATE UNIQUE INDEX learners_name ON learners(workshop_id, name_key) WHERE removed_at IS NULL;

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('learner', 'instructor')),
  workshop_id INTEGER NOT NULL REFERENCES workshops(id),
  learner_id TEXT REFERENCES learners(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

CREATE TABLE submissions (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  workshop_id INTEGER NOT NULL REFERENCES workshops(id),
  learner_id TEXT NOT NULL REFERENCES learners(id),
  lab TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'grading', 'done')),
  -- Bumped each time the submission is (re)queued: a grading only lands if it
  -- carries the generation it was claimed with, so no job is recorded twice.
  generation INTEGER NOT NULL DEFAULT 1,
  result TEXT,
  score REAL,
  max_score REAL,
  result_status TEXT,
  browser_score REAL,
  browser_max REAL,
  created_at TEXT NOT NULL,
  claimed_at TEXT,
  graded_at TEXT
);
CREATE INDEX submissions_queue ON submissions(status, seq);
CREATE INDEX submissions_learner_lab ON submissions(learner_id, lab, seq);
CREATE INDEX submissions_workshop ON submissions(workshop_id, seq);
`,
  },
  {
    version: 2,
    name: 'an instructor can hide the labs\' reference solutions from a workshop',
    sql: `ALTER TABLE workshops ADD COLUMN solutions_hidden INTEGER NOT NULL DEFAULT 0;`,
  },
];
