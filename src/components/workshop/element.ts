// Builds DOM from data the server sent. Strings always become text nodes
// (never HTML): names, titles, messages and learner code are shown exactly as
// typed and can never turn into markup or script.
type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  class?: string;
  [attr: string]: string | number | boolean | undefined;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    // Event handlers are attached with addEventListener, never as attributes.
    if (/^on/i.test(k)) throw new Error(`el(): no inline handler attributes (${k})`);
    node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Shows one message in a status element (role=status/alert), or clears it. */
export function say(target: HTMLElement, text: string, tone: 'info' | 'ok' | 'bad' = 'info'): void {
  target.textContent = text;
  target.dataset.tone = tone;
  target.hidden = text === '';
}
