// Database rows to the storage interface's records, shared by both backends
// (their tables have the same columns: migrations.ts).
import { parseGradeLang } from '../../grading/messages.ts';
import type { LearnerRow, SubmissionMeta, SubmissionRow, WorkshopRow } from './storage.ts';

export type Row = Record<string, unknown>;

export const workshopOf = (r: Row): WorkshopRow => ({
  id: r.id as number,
  code: r.code as string,
  title: r.title as string,
  instructorTokenHash: r.instructor_token_hash as string,
  createdAt: r.created_at as string,
  closedAt: (r.closed_at as string | null) ?? null,
  solutionsHidden: r.solutions_hidden === 1,
});

export const learnerOf = (r: Row): LearnerRow => ({
  id: r.id as string,
  workshopId: r.workshop_id as number,
  name: r.name as string,
  joinedAt: r.joined_at as string,
  lastSeen: r.last_seen as string,
  removedAt: (r.removed_at as string | null) ?? null,
});

export const metaOf = (r: Row): SubmissionMeta => ({
  id: r.id as string,
  workshopId: r.workshop_id as number,
  learnerId: r.learner_id as string,
  lab: r.lab as string,
  status: r.status as SubmissionMeta['status'],
  generation: r.generation as number,
  score: (r.score as number | null) ?? null,
  maxScore: (r.max_score as number | null) ?? null,
  resultStatus: (r.result_status as SubmissionMeta['resultStatus']) ?? null,
  browserScore: (r.browser_score as number | null) ?? null,
  browserMax: (r.browser_max as number | null) ?? null,
  // A row from before the column, or one that names no language the grader has, is English.
  lang: parseGradeLang(r.lang as string | null | undefined) ?? 'en',
  createdAt: r.created_at as string,
  gradedAt: (r.graded_at as string | null) ?? null,
});

export const submissionOf = (r: Row): SubmissionRow => ({ ...metaOf(r), source: r.source as string, result: (r.result as string | null) ?? null });

export const META_COLUMNS = 'id, workshop_id, learner_id, lab, status, generation, score, max_score, result_status, browser_score, browser_max, lang, created_at, graded_at';
