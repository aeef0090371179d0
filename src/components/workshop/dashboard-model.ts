// What the dashboard shows, computed from the server's dashboard answer: pure
// functions, no DOM, so the rules (colours, pseudonyms, order of the sticking
// points) are tested on their own.
import { t, type Locale } from '../../i18n/index.ts';
import type { Dashboard, DashboardLab, DashboardLearner, LearnerLab, StickingPoint } from './types.ts';

/**
 * The server's labs in the course's order, titled as the course titles them
 * (the page knows both from the build); labs the course does not list keep
 * the server's order after them, titled by their id if need be.
 */
export function inCourseOrder(labs: readonly DashboardLab[], course: readonly { id: string; title: string }[]): DashboardLab[] {
  const rank = new Map(course.map((l, i) => [l.id, i]));
  const titles = new Map(course.map((l) => [l.id, l.title]));
  return labs
    .map((l, i) => ({ lab: { ...l, title: l.title || titles.get(l.id) || l.id }, key: rank.get(l.id) ?? course.length + i }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.lab);
}

export type Progress = 'none' | 'started' | 'partial' | 'done';

/**
 * The colour class of one cell: nothing submitted; submitted but no points;
 * some points; full marks. Three steps are what a room can tell apart on a
 * projector at a glance.
 */
export function progressOf(cell: LearnerLab | undefined, labMax: number): Progress {
  if (!cell || cell.attempts === 0) return 'none';
  const max = cell.max || labMax;
  if (max > 0 && cell.best >= max) return 'done';
  return cell.best > 0 ? 'partial' : 'started';
}

/** Learners in the order they joined: the order the room knows, and stable between refreshes. */
export function joinOrder(learners: readonly DashboardLearner[]): DashboardLearner[] {
  return [...learners].sort((a, b) => a.joinedAt.localeCompare(b.joinedAt) || a.id.localeCompare(b.id));
}

/**
 * The name shown for each learner: their own, or in projector mode "Learner N"
 * by join order, so a projected screen never puts a struggling person's name
 * in front of the room.
 */
export function displayNames(learners: readonly DashboardLearner[], projector: boolean, locale: Locale = 'en'): Map<string, string> {
  return new Map(joinOrder(learners).map((l, i) => [l.id, projector ? t(locale, 'wsDash.pseudonym', { n: i + 1 }) : l.name]));
}

export interface LabStanding {
  done: number;
  attempted: number;
  total: number;
}

/** How the room stands on one lab: full marks, attempted, of how many learners. */
export function labStanding(dashboard: Dashboard, labId: string): LabStanding {
  const lab = dashboard.labs.find((l) => l.id === labId);
  let done = 0;
  let attempted = 0;
  for (const l of dashboard.learners) {
    const p = progressOf(l.labs[labId], lab?.max_score ?? 0);
    if (p !== 'none') attempted++;
    if (p === 'done') done++;
  }
  return { done, attempted, total: dashboard.learners.length };
}

export interface StickingGroup {
  lab: string;
  title: string;
  points: StickingPoint[];
}

/**
 * The sticking points grouped by lab: the lab where most learners fail one check
 * comes first, and in each lab the checks that fail most; so the top of the list
 * is what to explain next. Checks nobody fails are left out.
 */
export function stickingGroups(dashboard: Dashboard): StickingGroup[] {
  const titles = new Map(dashboard.labs.map((l) => [l.id, l.title]));
  const order = new Map(dashboard.labs.map((l, i) => [l.id, i]));
  const byLab = new Map<string, StickingPoint[]>();
  for (const p of dashboard.sticking) {
    if (p.failures <= 0) continue;
    let list = byLab.get(p.lab);
    if (!list) byLab.set(p.lab, (list = []));
    list.push(p);
  }
  const groups = [...byLab].map(([lab, points]) => ({
    lab,
    title: titles.get(lab) ?? lab,
    points: points.sort((a, b) => b.failures - a.failures || a.check.localeCompare(b.check)),
  }));
  return groups.sort((a, b) => b.points[0]!.failures - a.points[0]!.failures || (order.get(a.lab) ?? 0) - (order.get(b.lab) ?? 0));
}

/** Whether any submission is still waiting for the grader (the grid shows a spinner dot). */
export function pendingCount(dashboard: Dashboard): number {
  let n = 0;
  for (const l of dashboard.learners) for (const c of Object.values(l.labs)) if (c.lastStatus === 'queued' || c.lastStatus === 'grading') n++;
  return n;
}

export const points = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
