// Maps a place in the code that actually runs back to the learner's file:
// evaluated code = wrapper header + guarded code (on line 1) ; guarded code =
// transpiled code + guard insertions ; transpiled code -> source via sucrase's
// source map. Lines never change along the way; columns do.
import type { Insertion } from './loop-guard.ts';
import { originalPosition, type MappingSegment } from './source-map.ts';

export interface SourcePosition {
  /** 1-based. */
  line: number;
  column: number;
}

export class PositionMapper {
  private readonly byLine = new Map<number, Insertion[]>();

  constructor(
    readonly fileName: string,
    private readonly headerLength: number,
    insertions: Insertion[],
    private readonly mappings: MappingSegment[][],
  ) {
    for (const ins of insertions) {
      const list = this.byLine.get(ins.line) ?? [];
      list.push(ins);
      this.byLine.set(ins.line, list);
    }
    for (const list of this.byLine.values()) list.sort((a, b) => a.column - b.column);
  }

  /** Learner position of a 1-based line and column as a stack trace reports them. */
  toSource(line: number, column: number): SourcePosition {
    let col = column - 1;
    if (line === 1) col = Math.max(0, col - this.headerLength);
    let shift = 0;
    for (const ins of this.byLine.get(line - 1) ?? []) {
      const at = ins.column + shift;
      if (col >= at + ins.text.length) shift += ins.text.length;
      else if (col >= at) {
        col = at + ins.text.length; // inside a guard call: blame the code it guards
        shift += ins.text.length;
        break;
      } else break;
    }
    const transpiledColumn = col - shift;
    const mapped = originalPosition(this.mappings, line - 1, transpiledColumn);
    return { line: mapped ? mapped.line + 1 : line, column: (mapped ? mapped.column : transpiledColumn) + 1 };
  }

  /** The first place in `stack` that is in the learner's file, mapped to the source. */
  locateInStack(stack: string | undefined): SourcePosition | null {
    if (!stack) return null;
    const escaped = this.fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
    if (!match) return null;
    return this.toSource(Number(match[1]), Number(match[2]));
  }

  /**
   * The learner's frames of a stack, mapped: "    at handler (prog.ts:12:5)".
   * Frames of the runner and the simulator say nothing to a learner and are left out.
   */
  learnerFrames(stack: string | undefined): string[] {
    if (!stack) return [];
    const escaped = this.fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const place = new RegExp(`${escaped}:(\\d+):(\\d+)`);
    const frames: string[] = [];
    for (const raw of stack.split('\n')) {
      const m = place.exec(raw);
      if (!m) continue;
      const pos = this.toSource(Number(m[1]), Number(m[2]));
      const fn = /^\s*at (?:async )?(.+?) \(/.exec(raw)?.[1] ?? /^([^@\s]+)@/.exec(raw.trim())?.[1];
      // Engine names for functions of evaluated code ("Proc.eval [as fn]") mean nothing to a learner.
      const bare = fn?.replace(/ \[as [^\]]*\]$/, '').replace(/^Object\./, '');
      const name = bare && !/(^|\.)(eval|<anonymous>)$/.test(bare) && !bare.startsWith('eval') ? bare : '<anonymous>';
      frames.push(`    at ${name} (${this.fileName}:${pos.line}:${pos.column})`);
    }
    return frames;
  }
}
