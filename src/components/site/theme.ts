// Light/dark theme: follows prefers-color-scheme until the reader picks one.
const KEY = 'closing-time:theme';
export type Theme = 'light' | 'dark';

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

export function setTheme(t: Theme, remember = true): void {
  document.documentElement.dataset.theme = t;
  if (remember) {
    try {
      localStorage.setItem(KEY, t);
    } catch {
      /* not remembered */
    }
  }
  window.dispatchEvent(new CustomEvent('closing-time:theme', { detail: t }));
}

export function initThemeToggle(button: HTMLButtonElement): void {
  // The page's own words for it (SiteHeader.astro, in the page's language).
  const label = () =>
    button.setAttribute(
      'aria-label',
      currentTheme() === 'dark' ? (button.dataset.labelLight ?? 'Switch to light theme') : (button.dataset.labelDark ?? 'Switch to dark theme'),
    );
  button.hidden = false;
  label();
  button.addEventListener('click', () => {
    setTheme(currentTheme() === 'dark' ? 'light' : 'dark');
    label();
  });
  // Follow the system while the reader has not chosen.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', (e) => {
    let chosen: string | null = null;
    try {
      chosen = localStorage.getItem(KEY);
    } catch {
      /* ignore */
    }
    if (!chosen) {
      setTheme(e.matches ? 'dark' : 'light', false);
      label();
    }
  });
}
