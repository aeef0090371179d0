// The live ladder diagram in the page: redraws from the trace at most once a
// frame, and lets the learner scrub through it (slider, arrow keys on the
// diagram, or a click on an arrow); each step selects the matching console line
// and, for a segment, opens the packet panel under the diagram. A run with more
// than one connection gets a picker that draws one connection (or all).
import type { TraceEvent } from '../../../types/closing-time.d.ts';
import { buildLadder, connectionKey, formatMs, listConnections, scrubSteps, type LadderModel } from '../ladder/model.ts';
import { packetInfo, type PacketEnd, type PacketInfo } from '../ladder/packet-info.ts';
import { renderLadderHeader, renderLadderSvg } from '../ladder/render.ts';
import { ladderWords } from '../ladder/words.ts';
import { pageLocale, translator, type Locale, type UiKey } from '../../i18n/index.ts';

/** The page's UI strings, in its <html lang>. */
const tr = translator(pageLocale());

/** The diagram's own words in the page's language. */
const WORDS = ladderWords(pageLocale());

/** Connections drawn together by default; past this the picker starts on the first one. */
const ALL_BY_DEFAULT = 3;
/** Connections listed in the picker (a lab makes thousands). */
const MAX_PICKER = 400;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const secs = (t: number) => `${(t / 1000).toFixed(3)} s`;

export class LadderView {
  private model: LadderModel | null = null;
  private steps: number[] = [];
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private selected: number | null = null;
  private readonly panel: HTMLElement | null;
  private readonly picker: HTMLSelectElement | null;
  private readonly numbering: HTMLSelectElement | null;
  /** The picker's value the learner chose ('' = all), or null for the default. */
  private connChoice: string | null = null;
  private connCount = -1;
  /** Told when the numbering switch changes, so the console can follow. */
  onNumbering: ((absolute: boolean) => void) | null = null;

  constructor(
    private readonly canvas: HTMLElement,
    private readonly slider: HTMLInputElement,
    private readonly caption: HTMLElement,
    private readonly events: () => readonly TraceEvent[],
    private readonly onSelect: (n: number | null) => void,
  ) {
    const pane = canvas.parentElement ?? canvas;
    this.panel = pane.querySelector<HTMLElement>('[data-packet-panel]');
    this.picker = pane.querySelector<HTMLSelectElement>('[data-ladder-conn]');
    this.numbering = pane.querySelector<HTMLSelectElement>('[data-ladder-numbering]');
    slider.addEventListener('input', () => this.selectStep(Number(slider.value)));
    canvas.addEventListener('click', (e) => {
      const g = (e.target as Element).closest('[data-n]');
      if (!g || !canvas.contains(g)) return;
      this.jumpTo(Number(g.getAttribute('data-n')));
    });
    canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.picker?.addEventListener('change', () => {
      this.connChoice = this.picker!.value;
      this.selected = null;
      this.hidePanel();
      this.draw();
    });
    this.numbering?.addEventListener('change', () => {
      this.draw();
      if (this.selected !== null) this.showPanel(this.selected);
      this.onNumbering?.(this.absolute());
    });
    this.panel?.addEventListener('click', (e) => {
      if ((e.target as Element).closest('[data-packet-close]')) this.hidePanel();
    });
  }

  private absolute(): boolean {
    return this.numbering?.value === 'absolute';
  }

  private jumpTo(n: number): void {
    const i = this.steps.indexOf(n);
    if (i < 0) return;
    this.slider.value = String(i);
    this.selectStep(i);
  }

  private onKey(e: KeyboardEvent): void {
    if (this.steps.length === 0) return;
    const cur = this.selected === null ? -1 : this.steps.indexOf(this.selected);
    let i: number;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowRight':
        i = Math.min(this.steps.length - 1, cur + 1);
        break;
      case 'ArrowUp':
      case 'ArrowLeft':
        i = Math.max(0, cur < 0 ? 0 : cur - 1);
        break;
      case 'Home':
        i = 0;
        break;
      case 'End':
        i = this.steps.length - 1;
        break;
      case 'Escape':
        if (this.panel && !this.panel.hidden) {
          this.hidePanel();
          e.preventDefault();
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    this.slider.value = String(i);
    this.selectStep(i);
  }

  /** Schedules a redraw (many batches per frame collapse into one). */
  update(): void {
    if (this.frame || this.timer) return;
    // A long trace (a lab's thousands of connections) is redrawn a few times a
    // second rather than every frame: each drawing walks the whole trace.
    if (this.events().length > 20_000) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.draw();
      }, 500);
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws now (end of a run). */
  flush(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.timer) clearTimeout(this.timer);
    this.frame = 0;
    this.timer = undefined;
    this.draw();
  }

  clear(): void {
    this.model = null;
    this.steps = [];
    this.selected = null;
    this.connChoice = null;
    this.connCount = -1;
    if (this.picker) {
      this.picker.innerHTML = '';
      (this.picker.closest('label') ?? this.picker).hidden = true;
    }
    this.hidePanel();
    this.canvas.innerHTML = `<p class="ladder-empty">${tr('pg.ladderEmpty')}</p>`;
    this.slider.max = '0';
    this.slider.value = '0';
    this.slider.disabled = true;
    this.caption.textContent = tr('pg.scrubHint');
  }

  /** Fills the connection picker; returns the connection to draw (undefined: all). */
  private pickConnection(events: readonly TraceEvent[]): string | undefined {
    const conns = listConnections(events);
    if (!this.picker) return undefined;
    const wrap = this.picker.closest('label') ?? this.picker;
    if (conns.length <= 1) {
      wrap.hidden = true;
      return undefined;
    }
    const fallback = conns.length <= ALL_BY_DEFAULT ? '' : conns[0]!.key;
    let value = this.connChoice ?? fallback;
    if (conns.length !== this.connCount) {
      this.connCount = conns.length;
      const shown = conns.slice(0, MAX_PICKER);
      const opts = [`<option value="">All connections (${conns.length})</option>`];
      for (const c of shown) opts.push(`<option value="${esc(c.key)}">${esc(c.label)} · ${c.segments} segments</option>`);
      if (conns.length > shown.length) opts.push(`<option disabled>… ${conns.length - shown.length} more: the console lists them</option>`);
      this.picker.innerHTML = opts.join('');
      if (value !== '' && !shown.some((c) => c.key === value)) value = fallback;
    }
    this.picker.value = value;
    wrap.hidden = false;
    return value === '' ? undefined : value;
  }

  private draw(): void {
    const events = this.events();
    // Host lines as far apart as the pane allows, within readable limits.
    const hostCount = new Set(events.flatMap((e) => (e.kind === 'segment' ? [e.seg.src.host, e.seg.dst.host] : []))).size;
    const narrow = this.canvas.clientWidth < 520;
    const leftPx = narrow ? 150 : 210;
    const room = this.canvas.clientWidth - leftPx - 140;
    const columnPx = hostCount > 1 ? Math.max(narrow ? 150 : 170, Math.min(320, room / (hostCount - 1))) : 300;
    const connection = this.pickConnection(events);
    this.model = buildLadder(events, { columnPx, leftPx, connection, numbering: this.absolute() ? 'absolute' : 'relative', words: WORDS.model });
    this.steps = scrubSteps(this.model);
    if (this.model.hosts.length === 0) {
      this.clear();
      return;
    }
    const scroll = { top: this.canvas.scrollTop, left: this.canvas.scrollLeft };
    this.canvas.innerHTML =
      renderLadderHeader(this.model) + renderLadderSvg(this.model, { title: tr('pg.ladderTitle'), words: WORDS.svg });
    this.canvas.scrollTop = scroll.top;
    this.canvas.scrollLeft = scroll.left;
    this.canvas.dataset.arrows = String(this.model.arrows.length);
    this.slider.disabled = this.steps.length === 0;
    this.slider.max = String(Math.max(0, this.steps.length - 1));
    if (this.selected !== null) {
      const i = this.steps.indexOf(this.selected);
      if (i >= 0) this.slider.value = String(i);
      this.mark(this.selected, false);
    }
  }

  private selectStep(i: number): void {
    const n = this.steps[i];
    if (n === undefined) return;
    this.selected = n;
    this.mark(n, true);
    this.onSelect(n);
  }

  /** Selects the step at trace event `n`, or the last one before it (a check's moment of failure). */
  select(n: number): void {
    // Drawing one connection: switch to the one event n belongs to.
    if (this.picker && this.picker.value !== '') {
      const ev = this.events().find((e) => e.n === n);
      const key = ev?.kind === 'segment'
        ? connectionKey(`${ev.seg.src.ip}:${ev.seg.src.port}`, `${ev.seg.dst.ip}:${ev.seg.dst.port}`)
        : ev?.kind === 'state' && ev.sock.remote !== '*:*' ? connectionKey(ev.sock.local, ev.sock.remote) : null;
      if (key && key !== this.picker.value) {
        this.connChoice = key;
        this.draw();
      }
    }
    let i = -1;
    for (let k = 0; k < this.steps.length && this.steps[k]! <= n; k++) i = k;
    if (i < 0) return;
    this.slider.value = String(i);
    this.selectStep(i);
  }

  /** Deselects (ss goes back to the end of the run). */
  deselect(): void {
    this.selected = null;
    this.canvas.querySelectorAll('.is-active').forEach((el) => el.classList.remove('is-active'));
    this.caption.textContent = '';
    this.hidePanel();
    this.onSelect(null);
  }

  private mark(n: number, reveal: boolean): void {
    this.canvas.querySelectorAll('.is-active').forEach((el) => el.classList.remove('is-active'));
    const el = this.canvas.querySelector(`svg.ladder [data-n="${n}"]`);
    if (!el) return;
    el.classList.add('is-active');
    const title = el.querySelector('title')?.textContent ?? '';
    const ev = this.events().find((e) => e.n === n);
    this.caption.textContent = ev ? `${secs(ev.t)} · ${title}` : title;
    if (el.classList.contains('lad-arrow')) this.showPanel(n);
    else this.hidePanel();
    if (reveal) (el as Element).scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }

  private hidePanel(): void {
    if (!this.panel) return;
    this.panel.hidden = true;
    this.panel.innerHTML = '';
  }

  private showPanel(n: number): void {
    if (!this.panel) return;
    const p = packetInfo(this.events(), n);
    if (!p) {
      this.hidePanel();
      return;
    }
    this.panel.innerHTML = packetHtml(p, this.absolute());
    this.panel.dataset.n = String(p.n);
    this.panel.hidden = false;
  }
}

function endHtml(role: 'sender' | 'receiver', e: PacketEnd, say: (key: UiKey, vars?: Record<string, string | number>) => string): string {
  const before = e.before ?? say('packet.noSocket');
  const change = e.before === e.after || e.after === null
    ? (e.before ? say('packet.unchanged', { state: before }) : before)
    : `${before} → ${e.after}`;
  const label = say(role === 'sender' ? 'packet.sender' : 'packet.receiver');
  return `<dt>${label}</dt><dd data-field="${role}"><b>${esc(e.host)}</b> ${esc(e.endpoint)}: ${esc(change)}${e.cause ? ` <span class="pg-packet__why">(${esc(e.cause)})</span>` : ''}</dd>`;
}

/** Why a segment was dropped, as the drop event names it ('loss', 'fault', 'partition', 'no-route'). */
const DROP_KEYS: Record<string, UiKey> = { loss: 'packet.dropLoss', lost: 'packet.dropLost', fault: 'packet.dropFault', partition: 'packet.dropPartition', 'no-route': 'packet.dropNoRoute' };

/** The packet panel's content: absolute and relative numbers, the first one per the switch; in the page's edition. */
export function packetHtml(p: PacketInfo, absoluteFirst: boolean, locale: Locale = pageLocale()): string {
  const say = translator(locale);
  const num = (abs: number, rel: number | null, field: string) => {
    const a = `<span data-abs>${abs}</span>`;
    const r = rel === null ? '' : `<span data-rel>${rel}</span>`;
    const body = rel === null ? a : absoluteFirst ? `${a} <span class="pg-packet__alt">(${say('packet.relative', { n: r })})</span>` : `${r} <span class="pg-packet__alt">(${say('packet.absolute', { n: a })})</span>`;
    return `<dd data-field="${field}">${body}</dd>`;
  };
  let fate: string;
  if (p.outcome === 'delivered') {
    const dup = p.duplicates ? say(p.duplicates > 1 ? 'packet.duplicates' : 'packet.duplicate', { n: p.duplicates }) : '';
    fate = say('packet.delivered', { at: secs(p.endT!), wire: formatMs(p.endT! - p.t) }) + dup;
  } else if (p.outcome === 'dropped') {
    const why = p.dropReason ?? 'lost';
    const reason = DROP_KEYS[why] ? say(DROP_KEYS[why]!) : why;
    fate = `<span class="pg-packet__lost">${say('packet.dropped', { at: secs(p.endT!), reason: esc(reason) })}</span>`;
  } else fate = say('packet.inFlight');
  const data = p.len === 0
    ? say('packet.none')
    : `${say(p.len > 1 ? 'packet.bytes' : 'packet.byte', { n: p.len })}: <code>${esc(JSON.stringify(p.data))}${p.dataTruncated ? '…' : ''}</code>`;
  return (
    `<div class="pg-packet__head"><span class="pg-packet__flags" data-field="flags">${esc(p.flags)}</span>` +
    `<span class="pg-packet__route">${esc(p.sender.host)} ${esc(p.sender.endpoint)} → ${esc(p.receiver.host)} ${esc(p.receiver.endpoint)} · ${say('packet.sentAt', { at: secs(p.t) })}${p.retransmission ? ` · ${say('packet.retransmission')}` : ''}</span>` +
    `<button type="button" class="pg-packet__close" data-packet-close aria-label="${esc(say('packet.close'))}">×</button></div>` +
    `<dl class="pg-packet__fields">` +
    `<dt>${say('packet.flags')}</dt><dd data-field="flag-names">${esc(p.flagNames.join(', ') || say('packet.none'))}</dd>` +
    `<dt>Seq</dt>${num(p.seq, p.relSeq, 'seq')}` +
    `<dt>Ack</dt>${p.ackFlag ? num(p.ack, p.relAck, 'ack') : `<dd data-field="ack">${say('packet.noAck')}</dd>`}` +
    `<dt>${say('packet.window')}</dt><dd data-field="win">${p.win}</dd>` +
    `<dt>${say('packet.data')}</dt><dd data-field="data">${data}</dd>` +
    `<dt>${say('packet.options')}</dt><dd data-field="options">${esc(p.options.join(', ') || say('packet.none'))}</dd>` +
    `<dt>${say('packet.fate')}</dt><dd data-field="fate">${fate}</dd>` +
    endHtml('sender', p.sender, say) +
    endHtml('receiver', p.receiver, say) +
    `</dl>`
  );
}
