// The home page's Start / Continue button and progress summary. The page ships a
// plain link to the first lesson (so Start works without JavaScript) and the course's
// reading order as JSON; here the link moves to the first lesson or lab not yet
// finished, by the same progress the sidebar's check marks show.
import { isDone, type ProgressKey } from './progress.ts';

interface OrderItem {
  key: ProgressKey;
  kind: 'lesson' | 'lab';
  title: string;
  href: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function initContinue(root: HTMLElement): void {
  const link = root.querySelector<HTMLAnchorElement>('[data-continue-link]');
  const verb = root.querySelector<HTMLElement>('[data-continue-verb]');
  const what = root.querySelector<HTMLElement>('[data-continue-title]');
  const summary = root.querySelector<HTMLElement>('[data-progress-summary]');
  let order: OrderItem[];
  try {
    order = JSON.parse(root.querySelector('[data-course-order]')?.textContent ?? '[]') as OrderItem[];
  } catch {
    return;
  }
  if (!link || !verb || !what || !summary || order.length === 0) return;
  const lessons = order.filter((i) => i.kind === 'lesson');
  const labs = order.filter((i) => i.kind === 'lab');
  const label = (item: OrderItem) =>
    item.kind === 'lesson' ? `Lesson ${lessons.indexOf(item) + 1}: ${item.title}` : `Lab: ${item.title}`;

  const render = () => {
    const done = new Set(order.filter((i) => isDone(i.key)).map((i) => i.key));
    const lessonsDone = lessons.filter((i) => done.has(i.key)).length;
    const labsDone = labs.filter((i) => done.has(i.key)).length;
    const next = order.find((i) => !done.has(i.key));
    if (done.size === 0) {
      verb.textContent = 'Start';
      link.href = order[0]!.href;
      what.textContent = label(order[0]!);
    } else if (next) {
      verb.textContent = 'Continue';
      link.href = next.href;
      what.textContent = label(next);
    } else {
      // Everything finished: offer the list of labs to revisit rather than a dead end.
      verb.textContent = 'Course finished';
      link.href = `${document.documentElement.dataset.base ?? '/'}labs/`;
      what.textContent = 'Revisit the labs';
    }
    link.dataset.state = done.size === 0 ? 'start' : next ? 'continue' : 'finished';
    summary.textContent = `${lessonsDone} of ${plural(lessons.length, 'lesson', 'lessons')}, ${labsDone} of ${plural(labs.length, 'lab', 'labs')} done`;
    summary.hidden = false;
  };
  render();
  window.addEventListener('closing-time:progress', render);
  window.addEventListener('storage', (e) => {
    if (e.key === 'closing-time:progress' || e.key?.startsWith('closing-time:lab:')) render();
  });
}
