// Draws a LadderModel as SVG markup. Colours come from CSS classes so the
// diagram follows the light and dark themes. Every arrow, state and bar carries
// data-n (its trace position) so scrubbing can match it to the console line.
import type { LadderArrow, LadderModel } from './model.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const r1 = (v: number) => Math.round(v * 10) / 10;

/** "S 40001→80 seq 0": flags, then ports, then the numbers. */
export function arrowText(a: LadderArrow): string {
  return `${a.flags} ${a.ports}${a.label.slice(a.flags.length)}`;
}

/** The words the drawing adds to arrows and its foot, in the page's language (English by default). */
export interface LadderSvgWords {
  /** Beside a retransmitted segment's label, and after a duplicate's (short: they sit on the arrow). */
  retxMark: string;
  dupMark: string;
  /** In an arrow's tooltip. */
  lost: string;
  retransmission: string;
  duplicate: string;
  /** Under the diagram when segments were left out. */
  omitted(n: number): string;
}

export const ENGLISH_SVG_WORDS: LadderSvgWords = {
  retxMark: '(retx)',
  dupMark: '(dup)',
  lost: '(lost)',
  retransmission: '(retransmission)',
  duplicate: '(duplicate)',
  omitted: (n) => `${n} later segments are not drawn; the console lists them all.`,
};

/** Width of the invisible stroke that takes an arrow's clicks (the drawn line is under 2 px). */
const HIT_PX = 14;

function arrowLabel(a: LadderArrow, w: LadderSvgWords): string {
  const dx = a.x2 - a.x1;
  const dy = a.y2 - a.y1;
  // Keep text upright: for right-to-left arrows read along the reversed vector.
  const angle = (Math.atan2(dx < 0 ? -dy : dy, dx < 0 ? -dx : dx) * 180) / Math.PI;
  const mx = a.x1 + dx * (a.lost ? 0.5 : 0.5);
  const my = a.y1 + dy * 0.5;
  const text = `${arrowText(a)}${a.retransmission ? ` ${w.retxMark}` : ''}${a.duplicate ? ` ${w.dupMark}` : ''}`;
  return `<text class="lad-label" x="${r1(mx)}" y="${r1(my - 5)}" text-anchor="middle" transform="rotate(${r1(angle)} ${r1(mx)} ${r1(my)})">${esc(text)}</text>`;
}

function arrowSvg(a: LadderArrow, w: LadderSvgWords): string {
  const classes = ['lad-arrow', `lad-arrow--${a.kind}`];
  if (a.lost) classes.push('lad-arrow--lost');
  if (a.inFlight) classes.push('lad-arrow--inflight');
  if (a.retransmission) classes.push('lad-arrow--retx');
  if (a.duplicate) classes.push('lad-arrow--dup');
  const title = `${a.from} → ${a.to}: ${arrowText(a)}${a.lost ? ` ${w.lost}` : ''}${a.retransmission ? ` ${w.retransmission}` : ''}${a.duplicate ? ` ${w.duplicate}` : ''}`;
  let end = '';
  if (a.lost) {
    const s = 6;
    end = `<path class="lad-cross" d="M${r1(a.x2 - s)} ${r1(a.y2 - s)}L${r1(a.x2 + s)} ${r1(a.y2 + s)}M${r1(a.x2 + s)} ${r1(a.y2 - s)}L${r1(a.x2 - s)} ${r1(a.y2 + s)}"/>`;
  }
  const marker = a.lost ? '' : ' marker-end="url(#lad-head)"';
  return (
    `<g class="${classes.join(' ')}" data-n="${a.n}"${a.endN !== undefined ? ` data-end-n="${a.endN}"` : ''} tabindex="-1">` +
    `<title>${esc(title)}</title>` +
    `<line class="lad-hit" x1="${r1(a.x1)}" y1="${r1(a.y1)}" x2="${r1(a.x2)}" y2="${r1(a.y2)}" stroke="transparent" stroke-width="${HIT_PX}" pointer-events="stroke"/>` +
    `<line class="lad-line" x1="${r1(a.x1)}" y1="${r1(a.y1)}" x2="${r1(a.x2)}" y2="${r1(a.y2)}"${marker}/>` +
    end +
    arrowLabel(a, w) +
    `</g>`
  );
}

/** Height of the host-name strip that stays in view while the diagram scrolls. */
export const HEADER_PX = 32;

/** The host names alone, as an HTML strip as wide as the diagram (the page keeps it at the top of the pane). */
export function renderLadderHeader(model: LadderModel): string {
  const names = model.hosts.map((h) => `<span class="lad-head__host" style="left:${h.x}px">${esc(h.name)}</span>`).join('');
  return `<div class="lad-head" aria-hidden="true" style="width:${r1(model.width)}px;height:${HEADER_PX}px">${names}</div>`;
}

export function renderLadderSvg(model: LadderModel, opts: { title?: string; words?: LadderSvgWords } = {}): string {
  const parts: string[] = [];
  const w = opts.words ?? ENGLISH_SVG_WORDS;
  const title = opts.title ?? 'Ladder diagram of the connection';
  parts.push(
    `<svg class="ladder" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${r1(model.width)} ${r1(model.height)}" width="${r1(model.width)}" height="${r1(model.height)}" role="img" aria-label="${esc(title)}">`,
  );
  parts.push(
    '<defs><marker id="lad-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="context-stroke"/></marker></defs>',
  );
  const bottom = model.height - 20;
  for (const h of model.hosts) {
    parts.push(`<text class="lad-host" x="${h.x}" y="22" text-anchor="middle">${esc(h.name)}</text>`);
    parts.push(`<line class="lad-lifeline" x1="${h.x}" y1="34" x2="${h.x}" y2="${r1(bottom)}"/>`);
  }
  for (const t of model.ticks) {
    parts.push(`<text class="lad-tick" x="8" y="${r1(t.y + 4)}">${esc(t.label)}</text>`);
  }
  for (const b of model.breaks) {
    const x1 = 4;
    const x2 = model.width - 4;
    parts.push(
      `<g class="lad-break"><rect x="${x1}" y="${r1(b.y - 11)}" width="${r1(x2 - x1)}" height="22" rx="4"/>` +
        `<text x="${r1(model.width / 2)}" y="${r1(b.y + 4)}" text-anchor="middle">⋯ ${esc(b.label)} ⋯</text></g>`,
    );
  }
  for (const bar of model.timers) {
    const x = bar.side === 'right' ? bar.x + 3 : bar.x - 9;
    const lx = bar.side === 'right' ? bar.x + 16 : bar.x - 16;
    const anchor = bar.side === 'right' ? 'start' : 'end';
    const midY = (bar.y1 + bar.y2) / 2;
    parts.push(
      `<g class="lad-timer${bar.open ? ' lad-timer--open' : ''}" data-n="${bar.n}">` +
        `<title>${esc(`${bar.host}: ${bar.label}`)}</title>` +
        `<rect x="${r1(x)}" y="${r1(bar.y1)}" width="6" height="${r1(Math.max(4, bar.y2 - bar.y1))}" rx="3"/>` +
        `<text x="${r1(lx)}" y="${r1(midY + 4)}" text-anchor="${anchor}">${esc(bar.label)}</text></g>`,
    );
  }
  for (const a of model.arrows) parts.push(arrowSvg(a, w));
  for (const s of model.states) {
    const right = s.side === 'right';
    const x = right ? s.x + 12 : s.x - 12;
    parts.push(
      `<g class="lad-state lad-state--${s.state.toLowerCase()}" data-n="${s.n}">` +
        `<title>${esc(`${s.host}: ${s.from} → ${s.state} (${s.cause})`)}</title>` +
        `<circle cx="${r1(s.x)}" cy="${r1(s.y)}" r="3.5"/>` +
        `<text x="${r1(x)}" y="${r1(s.y + 4)}" text-anchor="${right ? 'start' : 'end'}">${esc(s.state)}</text></g>`,
    );
  }
  if (model.omitted > 0) {
    parts.push(`<text class="lad-omitted" x="8" y="${r1(model.height - 6)}">${esc(w.omitted(model.omitted))}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
