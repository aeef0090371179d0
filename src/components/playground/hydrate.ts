// Runs on every page with a playground: tiny on purpose. The editor, console
// and simulator load only when the reader reaches for a playground (pointer,
// focus, Run), so reading a lesson costs almost no JavaScript.
import type { PlaygroundController } from './controller.ts';
import { pageLocale, t } from '../../i18n/index.ts';

/** Character offset into the static code of the point clicked (null outside its text). */
function offsetAt(code: HTMLElement, x: number, y: number): number | null {
  const doc = document as Document & { caretPositionFromPoint?(x: number, y: number): { offsetNode: Node; offset: number } | null };
  const pos = doc.caretPositionFromPoint?.(x, y);
  const node = pos?.offsetNode ?? document.caretRangeFromPoint?.(x, y)?.startContainer;
  const offset = pos?.offset ?? document.caretRangeFromPoint?.(x, y)?.startOffset ?? 0;
  if (!node || !code.contains(node)) return null;
  const range = document.createRange();
  range.setStart(code, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/**
 * Keys typed into the static code while Monaco loads: kept (and kept off the
 * page, so Space does not scroll) until the editor takes them.
 */
function bufferKeys(target: HTMLElement): () => string {
  let typed = '';
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.key.length === 1) typed += e.key;
    else if (e.key === 'Enter') typed += '\n';
    else if (e.key === 'Backspace') typed = typed.slice(0, -1);
    else return;
    e.preventDefault();
  };
  target.addEventListener('keydown', onKey);
  return () => {
    target.removeEventListener('keydown', onKey);
    const text = typed;
    typed = '';
    return text;
  };
}

function hydrate(root: HTMLElement): void {
  if (root.dataset.hydrated) return;
  root.dataset.hydrated = 'true';
  const controls = root.querySelector<HTMLElement>('.playground__controls');
  if (controls) controls.hidden = false;
  // The console and diagram take their place now, not when the pointer first
  // passes over the playground (which would push the page down under it).
  const panes = root.querySelector<HTMLElement>('.playground__panes');
  if (panes) panes.hidden = false;
  let controller: Promise<PlaygroundController | null> | null = null;
  const status = root.querySelector<HTMLElement>('[data-status]');
  const load = () =>
    (controller ??= import('./controller.ts')
      .then((m) => m.activatePlayground(root))
      .catch((e: Error) => {
        if (status) status.textContent = t(pageLocale(), 'pg.startFailed', { error: e.message });
        root.dataset.state = 'failed';
        return null;
      }));
  root.addEventListener('pointerenter', () => void load(), { once: true });
  root.addEventListener('focusin', () => void load(), { once: true });
  root.querySelector('[data-action="run"]')?.addEventListener('click', async () => {
    const c = await load();
    c?.run();
  });
  const editorHost = root.querySelector<HTMLElement>('[data-editor]');
  editorHost?.addEventListener('click', async (e) => {
    // Once Monaco is there it places the caret itself.
    const code = editorHost.querySelector<HTMLElement>('.playground__static');
    if (!code) return;
    const offset = offsetAt(code, e.clientX, e.clientY) ?? 0;
    // Keep focus (and the keys typed next) in the playground until the editor takes over.
    if (!code.hasAttribute('tabindex')) code.tabIndex = -1;
    code.focus({ preventScroll: true });
    const typed = bufferKeys(code);
    const c = await load();
    await c?.focusEditor({ offset, typed });
    typed();
  });
}

// A lab's workbench activates its playground itself (with the lab's runner).
document.querySelectorAll<HTMLElement>('[data-playground]:not([data-manual])').forEach(hydrate);
