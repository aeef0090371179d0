// The shapes the workshop API answers with, as the pages read them. The server
// owns them; these types only say what the browser relies on.
import type { GradeResult } from '../../grading/result-types.ts';

export type SubmissionStatus = 'queued' | 'grading' | 'done';

export interface WorkshopRef {
  code: string;
  title: string;
  closed?: boolean;
}

export interface Me {
  learnerId: string;
  name: string;
  workshop: WorkshopRef & { closed: boolean; /** false: the instructor turned the labs' solutions off. */ solutions?: boolean };
}

export interface JoinResponse {
  learnerId: string;
  name: string;
  workshop: WorkshopRef;
}

export interface MyLab {
  best: number;
  max: number;
  attempts: number;
  last?: { id: string; status: SubmissionStatus; score: number | null; max_score: number | null; createdAt: string } | null;
}

export interface MySubmissions {
  labs: Record<string, MyLab>;
}

export interface Submission {
  id: string;
  lab: string;
  status: SubmissionStatus;
  result?: GradeResult | null;
  createdAt: string;
  gradedAt?: string | null;
}

export interface WorkshopSummary {
  code: string;
  title: string;
  createdAt: string;
  closed: boolean;
  learners: number;
  submissions: number;
}

export interface CreatedWorkshop {
  code: string;
  title: string;
  instructorToken: string;
  instructorUrl: string;
  joinUrl?: string;
}

export interface DashboardLab {
  id: string;
  /** Optional from the server: the page titles labs from the course when it is missing. */
  title?: string;
  max_score: number;
  checks: { name: string; max_score: number }[];
}

export interface LearnerLab {
  best: number;
  max: number;
  attempts: number;
  /** ISO time of the learner's last submission to the lab. */
  last: string | null;
  lastId?: string | null;
  lastStatus?: SubmissionStatus | null;
}

export interface DashboardLearner {
  id: string;
  name: string;
  joinedAt: string;
  lastSeen: string;
  labs: Record<string, LearnerLab>;
}

export interface StickingPoint {
  lab: string;
  check: string;
  failures: number;
  message: string | null;
  learners: string[];
}

export interface Dashboard {
  workshop: { code: string; title: string; closed: boolean; solutions: boolean; createdAt: string; joinUrl: string };
  labs: DashboardLab[];
  learners: DashboardLearner[];
  checks: Record<string, Record<string, number>>;
  sticking: StickingPoint[];
}

export interface LearnerDetail {
  learner: { id: string; name: string };
  labs: Record<string, { submission: { id: string; source: string; status: SubmissionStatus; lang?: string; result: GradeResult | null; createdAt: string; gradedAt: string | null } }>;
}
