// The small script every page runs: theme toggle, mobile menu, check marks,
// "mark as finished", Start/Continue on the home page, Copy on code blocks,
// search. Playground code loads separately, only where needed.
import { initCodeCopy } from './code-copy.ts';
import { initContinue } from './continue.ts';
import { initSearch } from './search.ts';
import { initThemeToggle } from './theme.ts';
import { isDone, markDone, renderCheckMarks, type ProgressKey } from './progress.ts';

const base = document.documentElement.dataset.base ?? '/';

const themeButton = document.querySelector<HTMLButtonElement>('.theme-toggle');
if (themeButton) initThemeToggle(themeButton);

const navToggle = document.querySelector<HTMLButtonElement>('.nav-toggle');
const nav = document.getElementById('course-nav');
if (navToggle && nav) {
  navToggle.hidden = false;
  document.body.classList.add('has-nav-toggle');
  const set = (open: boolean) => {
    document.body.classList.toggle('nav-open', open);
    navToggle.setAttribute('aria-expanded', String(open));
  };
  navToggle.addEventListener('click', () => set(!document.body.classList.contains('nav-open')));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && document.body.classList.contains('nav-open')) {
      set(false);
      navToggle.focus();
    }
  });
}

renderCheckMarks();
window.addEventListener('closing-time:progress', () => renderCheckMarks());
window.addEventListener('storage', (e) => {
  if (e.key === 'closing-time:progress' || e.key?.startsWith('closing-time:lab:')) renderCheckMarks();
});

document.querySelectorAll<HTMLButtonElement>('[data-mark-done]').forEach((button) => {
  const key = button.dataset.markDone as ProgressKey;
  const render = () => {
    const done = isDone(key);
    button.setAttribute('aria-pressed', String(done));
    // The page's own words (LessonPage.astro, in the page's language).
    button.querySelector('.mark-done__label')!.textContent = done ? (button.dataset.labelDone ?? 'Finished ✓ (click to undo)') : (button.dataset.labelTodo ?? 'Mark this lesson as finished');
  };
  button.hidden = false;
  render();
  button.addEventListener('click', () => {
    markDone(key, !isDone(key));
    render();
  });
});

const courseStart = document.querySelector<HTMLElement>('[data-course-start]');
if (courseStart) initContinue(courseStart);

initCodeCopy();

const searchInput = document.querySelector<HTMLInputElement>('#site-search');
const searchList = document.getElementById('search-results');
if (searchInput && searchList) initSearch(searchInput, searchList, base);

// Highlight the table-of-contents entry of the section being read.
const tocLinks = [...document.querySelectorAll<HTMLAnchorElement>('.toc__list a')];
if (tocLinks.length && 'IntersectionObserver' in window) {
  const byId = new Map(tocLinks.map((a) => [decodeURIComponent(a.hash.slice(1)), a]));
  const io = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        tocLinks.forEach((a) => a.classList.remove('is-active'));
        byId.get(e.target.id)?.classList.add('is-active');
      }
    },
    { rootMargin: '0px 0px -70% 0px' },
  );
  byId.forEach((_, id) => {
    const h = document.getElementById(id);
    if (h) io.observe(h);
  });
}
