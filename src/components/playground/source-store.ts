// The learner's edits survive a reload: one localStorage entry per playground.
const key = (id: string) => `closing-time:code:${id}`;

export function savedSource(id: string): string | null {
  try {
    return localStorage.getItem(key(id));
  } catch {
    return null;
  }
}

/** Stores the source, or forgets it when it is the lesson's own version again. */
export function saveSource(id: string, source: string, original: string): void {
  try {
    if (source === original) localStorage.removeItem(key(id));
    else localStorage.setItem(key(id), source);
  } catch {
    // Storage full or disabled: edits last until the page is closed.
  }
}

export function forgetSource(id: string): void {
  try {
    localStorage.removeItem(key(id));
  } catch {
    /* nothing stored */
  }
}
