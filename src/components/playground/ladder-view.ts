// The live ladder diagram in the page: redraws from the trace at most once a
// frame, and lets the learner scrub through it (slider, arrow keys, or a click
// on an arrow); each step selects the matching console line.
import type { TraceEvent } from '../../../types/closing-time.d.ts';
import { buildLadder, scrubSteps, type LadderModel } from '../ladder/model.ts';
import { renderLadderSvg } from '../ladder/render.ts';

export class LadderView {
  private model: LadderModel | null = null;
  private steps: number[] = [];
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private selected: number | null = null;

  constructor(
    private readonly canvas: HTMLElement,
    private readonly slider: HTMLInputElement,
    private readonly caption: HTMLElement,
    private readonly events: () => readonly TraceEvent[],
    private readonly onSelect: (n: number | null) => void,
  ) {
    slider.addEventListener('input', () => this.selectStep(Number(slider.value)));
    canvas.addEventListener('click', (e) => {
      const g = (e.target as Element).closest('[data-n]');
      if (!g) return;
      const n = Number(g.getAttribute('data-n'));
      const i = this.steps.indexOf(n);
      if (i >= 0) {
        this.slider.value = String(i);
        this.selectStep(i);
      }
    });
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
    this.canvas.innerHTML = '<p class="ladder-empty">The diagram draws itself while the program runs.</p>';
    this.slider.max = '0';
    this.slider.value = '0';
    this.slider.disabled = true;
    this.caption.textContent = 'Step through the run with the slider or the arrow keys; click an arrow to jump to it.';
  }

  private draw(): void {
    const events = this.events();
    // Host lines as far apart as the pane allows, within readable limits.
    const hostCount = new Set(events.flatMap((e) => (e.kind === 'segment' ? [e.seg.src.host, e.seg.dst.host] : []))).size;
    const narrow = this.canvas.clientWidth < 520;
    const leftPx = narrow ? 150 : 210;
    const room = this.canvas.clientWidth - leftPx - 140;
    const columnPx = hostCount > 1 ? Math.max(narrow ? 150 : 170, Math.min(320, room / (hostCount - 1))) : 300;
    this.model = buildLadder(events, { columnPx, leftPx });
    this.steps = scrubSteps(this.model);
    if (this.model.hosts.length === 0) {
      this.clear();
      return;
    }
    this.canvas.innerHTML = renderLadderSvg(this.model, { title: 'Ladder diagram of this run' });
    this.canvas.dataset.arrows = String(this.model.arrows.length);
    this.slider.disabled = this.steps.length === 0;
    this.slider.max = String(Math.max(0, this.steps.length - 1));
    if (this.selected !== null) this.mark(this.selected);
  }

  private selectStep(i: number): void {
    const n = this.steps[i];
    if (n === undefined) return;
    this.selected = n;
    this.mark(n);
    this.onSelect(n);
  }

  /** Selects the step at trace event `n`, or the last one before it (a check's moment of failure). */
  select(n: number): void {
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
    this.onSelect(null);
  }

  private mark(n: number): void {
    this.canvas.querySelectorAll('.is-active').forEach((el) => el.classList.remove('is-active'));
    const el = this.canvas.querySelector(`[data-n="${n}"]`);
    if (!el) return;
    el.classList.add('is-active');
    const title = el.querySelector('title')?.textContent ?? '';
    const ev = this.events().find((e) => e.n === n);
    this.caption.textContent = ev ? `${(ev.t / 1000).toFixed(3)} s · ${title}` : title;
    (el as Element).scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }
}
