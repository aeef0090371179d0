// What the learner has finished, kept in this browser only (localStorage).
// Keys are 'lesson:<id>' and 'lab:<id>'; the lab page's checker may set 'lab:<id>'
// through markDone() or by dispatching the 'closing-time:progress' event.
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

export function isDone(key: ProgressKey): boolean {
  return Boolean(read()[key]);
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
    const done = Boolean(v[el.dataset.progressKey!]);
    el.classList.toggle('is-done', done);
    const sr = el.querySelector('.sidebar__done-text');
    if (sr) sr.textContent = done ? ' (finished)' : '';
  });
}
