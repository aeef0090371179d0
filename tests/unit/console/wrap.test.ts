// The site console folds long lines itself (xterm would cut "CLOSED" into
// "CLOS" / "ED"): at spaces, within the terminal's columns, continuation rows indented.
import { describe, expect, it } from 'vitest';
import { paint, stripAnsi } from '../../../src/console/index.ts';
import { wrapToColumns } from '../../../src/components/playground/console-wrap.ts';
import { legible } from '../../../src/components/playground/trace-console.ts';

const rows = (text: string) => stripAnsi(text).split('\n');
const widest = (text: string) => Math.max(...rows(text).map((r) => r.length));

describe('console lines folded to the terminal width', () => {
  const line = '    0.020 client 10.0.0.1:40000 ESTABLISHED → FIN_WAIT_1 (close() called, FIN queued, send queue length 0) CLOSED';

  it('breaks only at spaces, never inside a token', () => {
    const out = wrapToColumns(line, 40);
    const tokens = line.split(/ +/).filter(Boolean);
    expect(rows(out).flatMap((r) => r.split(/ +/).filter(Boolean))).toEqual(tokens);
    expect(widest(out)).toBeLessThanOrEqual(40);
  });

  it('indents continuation rows under the line', () => {
    const out = rows(wrapToColumns(line, 40, 2));
    expect(out.length).toBeGreaterThan(2);
    // The line starts with 4 spaces of its own: continuation rows with 4 + 2.
    for (const r of out.slice(1)) expect(r).toMatch(/^ {6}\S/);
  });

  it('leaves a line that fits alone, however long exactly', () => {
    expect(wrapToColumns('a'.repeat(40), 40)).toBe('a'.repeat(40));
    expect(wrapToColumns('short line', 94)).toBe('short line');
  });

  it('counts colour codes as zero width and keeps them', () => {
    const coloured = `${paint('dim', '    0.020', true)} ${paint('red', 'client 10.0.0.1:40000 > server 10.0.0.2:80 Flags [R.] seq 1 ack 1', true)}`;
    const out = wrapToColumns(coloured, 50);
    expect(stripAnsi(out).replace(/\n +/g, ' ')).toBe(stripAnsi(coloured));
    expect(widest(out)).toBeLessThanOrEqual(50);
    expect(out.match(/\x1b\[[0-9;]*m/g)).toEqual(coloured.match(/\x1b\[[0-9;]*m/g));
    // The timestamp's own indentation counts although a colour code comes first.
    for (const r of rows(out).slice(1)) expect(r).toMatch(/^ {6}\S/);
  });

  it('cuts a token only when it alone is wider than a row', () => {
    const out = rows(wrapToColumns(`x ${'y'.repeat(30)}`, 20, 2));
    expect(out[0]).toBe('x');
    expect(out.slice(1).join('').replace(/ /g, '')).toBe('y'.repeat(30));
    for (const r of out) expect(r.length).toBeLessThanOrEqual(20);
  });

  it('folds each line of a multi-line text on its own and counts wide characters as two columns', () => {
    expect(wrapToColumns('aaa bbb\nccc ddd', 7)).toBe('aaa bbb\nccc ddd');
    const cjk = '服务器 关闭 连接 之后 进入 等待 状态';
    for (const r of rows(wrapToColumns(cjk, 12))) expect([...r].reduce((w, ch) => w + (ch === ' ' ? 1 : 2), 0)).toBeLessThanOrEqual(12);
  });
});

describe('dim console text drawn in a colour that keeps its contrast', () => {
  it('turns dim into bright black and ends it without ending the bold around it', () => {
    expect(legible(paint('dim', '0.020', true))).toBe('\x1b[90m0.020\x1b[39m');
    expect(legible(paint('bold', 'x', true))).toBe(paint('bold', 'x', true));
  });
});
