// The one storage interface the workshop routes, the grading queue and the CLI
// use. Every method is async so that a networked database (PostgreSQL) can
// stand behind it without touching its callers; the SQLite backend answers at once.
// Times are ISO 8601 strings (UTC).
import type { GradeLang } from '../../grading/messages.ts';

export interface WorkshopRow {
  id: number;
  code: string;
  title: string;
  instructorTokenHash: string;
  createdAt: string;
  closedAt: string | null;
  /** The instructor has hidden the labs' reference solutions from this workshop's learners. */
  solutionsHidden: boolean;
}

export interface WorkshopSummary {
  code: string;
  title: string;
  createdAt: string;
  closed: boolean;
  learners: number;
  submissions: number;
}

export interface LearnerRow {
  id: string;
  workshopId: number;
  name: string;
  joinedAt: string;
  lastSeen: string;
  removedAt: string | null;
}

export interface SessionRow {
  tokenHash: string;
  kind: 'learner' | 'instructor';
  workshopId: number;
  learnerId: string | null;
  expiresAt: string;
}

export type SubmissionStatus = 'queued' | 'grading' | 'done';

export interface SubmissionRow {
  id: string;
  workshopId: number;
  learnerId: string;
  lab: string;
  source: string;
  status: SubmissionStatus;
  generation: number;
  /** The grader's JSON (an Exercism v3 result), once graded. */
  result: string | null;
  score: number | null;
  maxScore: number | null;
  resultStatus: 'pass' | 'fail' | 'error' | null;
  browserScore: number | null;
  browserMax: number | null;
  /** The language the learner submitted in; the grader's messages are in it. */
  lang: GradeLang;
  createdAt: string;
  gradedAt: string | null;
}

/** A submission without its source and result text: what lists and dashboards need. */
export type SubmissionMeta = Omit<SubmissionRow, 'source' | 'result'>;

export interface NewSubmission {
  id: string;
  workshopId: number;
  learnerId: string;
  lab: string;
  source: string;
  browserScore: number | null;
  browserMax: number | null;
  /** Default English. */
  lang?: GradeLang;
  createdAt: string;
}

export interface GradedRecord {
  result: string;
  score: number;
  maxScore: number;
  resultStatus: 'pass' | 'fail' | 'error';
  gradedAt: string;
}

export interface Storage {
  readonly kind: string;

  createWorkshop(w: { code: string; title: string; instructorTokenHash: string; createdAt: string }): Promise<WorkshopRow>;
  workshopByCode(code: string): Promise<WorkshopRow | null>;
  workshopById(id: number): Promise<WorkshopRow | null>;
  listWorkshops(): Promise<WorkshopSummary[]>;
  setWorkshopClosed(id: number, closedAt: string | null): Promise<void>;
  setSolutionsHidden(id: number, hidden: boolean): Promise<void>;

  /** Adds a learner; 'name_taken' when someone still in the workshop has that name (compared by nameKey). */
  addLearner(l: { id: string; workshopId: number; name: string; nameKey: string; joinedAt: string }): Promise<'ok' | 'name_taken'>;
  learner(id: string): Promise<LearnerRow | null>;
  learners(workshopId: number): Promise<LearnerRow[]>;
  /** Marks the learner removed and ends their sessions. False when there was no such learner in the workshop. */
  removeLearner(workshopId: number, learnerId: string, at: string): Promise<boolean>;
  touchLearner(id: string, at: string): Promise<void>;

  createSession(s: SessionRow & { createdAt: string }): Promise<void>;
  session(tokenHash: string): Promise<SessionRow | null>;
  deleteSession(tokenHash: string): Promise<void>;

  /** Stores a submission as queued. Resolves only once it is committed (it survives a kill -9). */
  addSubmission(s: NewSubmission): Promise<void>;
  submission(id: string): Promise<SubmissionRow | null>;
  /**
   * The oldest queued submission, now marked grading; null when none is queued.
   * A shared backend also hands out a grading whose lease ran out (its node
   * died), with its generation bumped so the dead node's late result is refused.
   */
  claimNext(at: string): Promise<SubmissionRow | null>;
  /**
   * How long a claimed grading stays this node's without renewal, ms; absent
   * when the backend has a single grading process tree (SQLite), which never leases.
   */
  readonly leaseMs?: number;
  /** Extends this node's lease on a grading; false when it is no longer this node's. */
  renewLease?(id: string, generation: number): Promise<boolean>;
  /** Calls `onWork` when another process queued a submission (a shared backend); resolves once listening. */
  watchQueue?(onWork: () => void): Promise<void>;
  /** Records a grading if the submission still has `generation`; false when it was requeued meanwhile. */
  finishGrading(id: string, generation: number, graded: GradedRecord): Promise<boolean>;
  /** Puts a submission that was being graded back in the queue (a shutdown, a lost grader). */
  requeue(id: string, generation: number): Promise<boolean>;
  /**
   * At start: every submission left in 'grading' by a stopped server goes back
   * to 'queued' (on a shared backend: those whose lease ran out).
   */
  requeueAbandoned(): Promise<number>;
  /** Queued or grading, in all workshops; and for one learner. */
  pendingCount(learnerId?: string): Promise<number>;
  /** Every submission of a workshop (or of one learner), oldest first, without source and result. */
  submissionMetas(workshopId: number, learnerId?: string): Promise<SubmissionMeta[]>;
  /** The latest submission per learner and lab, with source and result. */
  latestSubmissions(workshopId: number, learnerId?: string): Promise<SubmissionRow[]>;
  /** The latest graded ('done') submission per learner and lab, of learners still in the workshop. */
  latestGraded(workshopId: number): Promise<SubmissionRow[]>;
  /** Requeues each learner's latest submission per lab (learners still in the workshop); returns their ids. */
  regradeLatest(workshopId: number): Promise<string[]>;

  close(): Promise<void>;
}
