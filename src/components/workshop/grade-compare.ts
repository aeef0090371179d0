// The browser grades a Check at once; the workshop server grades the same code
// again in its sandbox, and that grade is the one the instructor sees. They
// should agree (same checkers, same seeds); when they do not, the learner is
// told plainly, with the checks that came out differently.
import type { GradeResult } from '../../grading/result-types.ts';
import { points } from './dashboard-model.ts';

export interface BrowserGrade {
  score: number;
  max_score: number;
  status: GradeResult['status'];
}

export interface Comparison {
  agree: boolean;
  /** Checks that passed in one grade and not in the other. */
  differing: string[];
  text: string;
}

export function compareGrades(server: GradeResult, browser: (BrowserGrade & { tests?: GradeResult['tests'] }) | null): Comparison {
  const serverText = `${points(server.score)}/${points(server.max_score)}`;
  if (!browser) return { agree: true, differing: [], text: '' };
  const browserTests = new Map((browser.tests ?? []).map((t) => [t.name, t.status]));
  const differing = server.tests.filter((t) => browserTests.has(t.name) && (browserTests.get(t.name) === 'pass') !== (t.status === 'pass')).map((t) => t.name);
  const agree = server.score === browser.score && server.max_score === browser.max_score && server.status === browser.status && differing.length === 0;
  if (agree) return { agree, differing, text: '' };
  const browserText = `${points(browser.score)}/${points(browser.max_score)}`;
  let text = `The server's grade (${serverText}) differs from your browser's (${browserText}); your instructor sees the server's.`;
  if (differing.length) text += ` Graded differently: ${differing.map((n) => `“${n}”`).join(', ')}.`;
  else if (server.status === 'error' && server.message) text += ` The server says: ${server.message}`;
  return { agree, differing, text };
}
