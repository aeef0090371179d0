// Runs on every page with a playground: tiny on purpose. The editor, console
// and simulator load only when the reader reaches for a playground (pointer,
// focus, Run), so reading a lesson costs almost no JavaScript.
import type { PlaygroundController } from './controller.ts';

function hydrate(root: HTMLElement): void {
  if (root.dataset.hydrated) return;
  root.dataset.hydrated = 'true';
  const controls = root.querySelector<HTMLElement>('.playground__controls');
  if (controls) controls.hidden = false;
  let controller: Promise<PlaygroundController | null> | null = null;
  const status = root.querySelector<HTMLElement>('[data-status]');
  const load = () =>
    (controller ??= import('./controller.ts')
      .then((m) => m.activatePlayground(root))
      .catch((e: Error) => {
        if (status) status.textContent = `The playground could not start: ${e.message}`;
        root.dataset.state = 'failed';
        return null;
      }));
  root.addEventListener('pointerenter', () => void load(), { once: true });
  root.addEventListener('focusin', () => void load(), { once: true });
  root.querySelector('[data-action="run"]')?.addEventListener('click', async () => {
    const c = await load();
    c?.run();
  });
  root.querySelector('[data-editor]')?.addEventListener('click', async () => {
    const c = await load();
    c?.focusEditor();
  });
}

// A lab's workbench activates its playground itself (with the lab's runner).
document.querySelectorAll<HTMLElement>('[data-playground]:not([data-manual])').forEach(hydrate);
