// What the learner has finished, kept in this browser only (localStorage).
// Keys are 'lesson:<id>' and 'lab:<id>'; the lab page's checker may set 'lab:<id>'
// through markDone() or by dispatching the 'closing-time:progress' event.
import { pageLocale, t } from '../../i18n/index.ts';

// One record for every edition of the course: a lesson finished in English is finished in Chinese.
const STORAGE_KEY = 'closing-time:progress';

export type ProgressKey = `lesson:${string}` | `lab:${string}`;

function read(): Record<string, number> {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

function write(v: Record<string, number>): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(v));
  } catch {
    // Private mode or a full quota: progress simply is not remembered.
  }
  window.dispatchEvent(new CustomEvent('closing-time:progress'));
}

/** A lab counts as finished once its checker gave full marks (the lab page keeps that under closing-time:lab:<id>). */
function labPassed(id: string): boolean {
  try {
    const v = JSON.parse(localStorage.getItem(`closing-time:lab:${id}`) ?? 'null') as { bestScore?: number; maxScore?: number } | null;
    return Boolean(v && typeof v.maxScore === 'number' && v.maxScore > 0 && (v.bestScore ?? 0) >= v.maxScore);
  } catch {
    return false;
  }
}

function done(v: Record<string, number>, key: string): boolean {
  return Boolean(v[key]) || (key.startsWith('lab:') && labPassed(key.slice(4)));
}

export function isDone(key: ProgressKey): boolean {
  return done(read(), key);
}

export function markDone(key: ProgressKey, done = true): void {
  const v = read();
  if (done) v[key] = Date.now();
  else delete v[key];
  write(v);
}

/** Puts the check marks on every link that carries data-progress-key. */
export function renderCheckMarks(root: ParentNode = document): void {
  const v = read();
  root.querySelectorAll<HTMLElement>('[data-progress-key]').forEach((el) => {
    const finished = done(v, el.dataset.progressKey!);
    el.classList.toggle('is-done', finished);
    const sr = el.querySelector('.sidebar__done-text');
    if (sr) sr.textContent = finished ? t(pageLocale(), 'progress.finished') : '';
  });
}
