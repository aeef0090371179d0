// Draws a grade as the lab page shows it: one row per check with its status,
// points and message, and the total. Pure DOM, no framework.
import type { GradeResult, TestResult } from '../../grading/result-types.ts';
import { pageLocale, t as text } from '../../i18n/index.ts';

const MARK: Record<TestResult['status'] | 'pending', string> = { pass: '✓', fail: '✗', error: '!', pending: '…' };
/** The page's words (its <html lang>). */
const tr = (key: Parameters<typeof text>[1], vars?: Record<string, string | number>) => text(pageLocale(), key, vars);

function points(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function checkRow(doc: Document, t: { name: string; title?: string; status: TestResult['status'] | 'pending'; score?: number; max_score: number; message?: string | null; output?: string | null }): HTMLLIElement {
  const li = doc.createElement('li');
  li.className = `lab-check lab-check--${t.status}`;
  li.dataset.status = t.status;
  const head = doc.createElement('div');
  head.className = 'lab-check__head';
  const mark = doc.createElement('span');
  mark.className = 'lab-check__mark';
  mark.setAttribute('aria-hidden', 'true');
  mark.textContent = MARK[t.status];
  const name = doc.createElement('span');
  name.className = 'lab-check__name';
  // `title` is the check's name in the page's language; `name` stays its id.
  name.textContent = t.title ?? t.name;
  li.dataset.check = t.name;
  const sr = doc.createElement('span');
  sr.className = 'visually-hidden';
  sr.textContent = ` (${tr(`results.${t.status}`)})`;
  name.append(sr);
  const pts = doc.createElement('span');
  pts.className = 'lab-check__points';
  pts.textContent = t.status === 'pending' ? tr('results.pts', { n: points(t.max_score) }) : `${points(t.score ?? 0)}/${points(t.max_score)}`;
  head.append(mark, name, pts);
  li.append(head);
  if (t.message && t.status !== 'pass') {
    const msg = doc.createElement('p');
    msg.className = 'lab-check__message';
    msg.textContent = t.message;
    li.append(msg);
  }
  if (t.output && t.status !== 'pass') {
    const details = doc.createElement('details');
    details.className = 'lab-check__output';
    const summary = doc.createElement('summary');
    summary.textContent = tr('results.printed');
    const pre = doc.createElement('pre');
    pre.textContent = t.output;
    details.append(summary, pre);
    li.append(details);
  }
  return li;
}

/** The rows for checks not yet run: names and points, status pending. */
export function pendingRows(doc: Document, checks: { name: string; title?: string; max_score: number }[]): HTMLLIElement[] {
  return checks.map((c) => checkRow(doc, { ...c, status: 'pending' }));
}

export function summaryText(result: GradeResult): string {
  if (result.status === 'error') return tr('results.notGraded', { message: result.message ?? tr('results.unknownError') });
  const passed = result.tests.filter((t) => t.status === 'pass').length;
  const score = points(result.score);
  const max = points(result.max_score);
  if (result.status === 'pass') return tr('results.allPass', { n: result.tests.length, score, max });
  return tr('results.somePass', { passed, n: result.tests.length, score, max });
}
