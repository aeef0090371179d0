// A Copy button in the corner of every code block of a lesson or lab (Shiki's
// pre.astro-code). Playgrounds are left alone: their static block is the no-JS
// fallback that Monaco replaces, and an editor has its own select-and-copy.
import { pageLocale, translator } from '../../i18n/index.ts';

const tr = translator(pageLocale());

const SKIP = '[data-playground], .playground, [data-lab-bench], .monaco-editor';

/** Copies text with the async Clipboard API, falling back to a hidden textarea and execCommand (plain http, older browsers, denied permission). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through to the textarea.
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.top = '0';
  ta.style.left = '-9999px';
  document.body.append(ta);
  const previous = document.activeElement as HTMLElement | null;
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  previous?.focus({ preventScroll: true });
  return ok;
}

export function initCodeCopy(root: ParentNode = document): void {
  root.querySelectorAll<HTMLPreElement>('.content pre.astro-code').forEach((pre) => {
    if (pre.closest(SKIP) || pre.parentElement?.classList.contains('code-block')) return;
    // The button sits in a wrapper rather than in the <pre>, so it stays in the corner when the code scrolls sideways.
    const wrap = document.createElement('div');
    wrap.className = 'code-block';
    pre.replaceWith(wrap);
    wrap.append(pre);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'code-copy';
    button.textContent = tr('copy.button');
    button.setAttribute('aria-label', tr('copy.aria'));
    const status = document.createElement('span');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    wrap.append(button, status);
    let timer: ReturnType<typeof setTimeout> | undefined;
    button.addEventListener('click', async () => {
      const code = pre.querySelector('code') ?? pre;
      const ok = await copyText((code.textContent ?? '').replace(/\n$/, ''));
      button.textContent = ok ? tr('copy.copied') : tr('copy.pressCtrlC');
      status.textContent = ok ? tr('copy.status') : tr('copy.failed');
      button.dataset.copied = String(ok);
      if (!ok) {
        const range = document.createRange();
        range.selectNodeContents(code);
        const sel = getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
      }
      clearTimeout(timer);
      timer = setTimeout(() => {
        button.textContent = tr('copy.button');
        status.textContent = '';
        delete button.dataset.copied;
      }, 2000);
    });
  });
}
