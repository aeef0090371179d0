// Console lines folded to the terminal's width at spaces. xterm wraps at the
// last column, inside words ("CLOS" / "ED"); a trace line folded here breaks
// between tokens, and its continuation rows are indented under the line.

// SGR and other CSI sequences take no columns.
const CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/y;

/** Columns a code point takes in the terminal: 2 for East Asian wide characters, as xterm counts them. */
function columns(cp: number): number {
  if (cp < 0x1100) return 1;
  return (cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) || (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) || (cp >= 0x20000 && cp <= 0x3fffd)
    ? 2
    : 1;
}

/**
 * Folds `text` (which may hold ANSI colour codes and newlines) so that no row
 * is wider than `cols`: at the last space that fits, or inside a token only
 * when a token alone is wider than a row. Continuation rows start with the
 * line's own indentation plus `indent` spaces.
 */
export function wrapToColumns(text: string, cols: number, indent = 2): string {
  return text
    .split('\n')
    .map((line) => wrapLine(line, cols, indent))
    .join('\n');
}

function wrapLine(line: string, cols: number, indent: number): string {
  // The line's own indentation, past any colour codes before it (a dim timestamp's).
  const lead = /^ */.exec(line.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, ''))![0].length;
  const pad = ' '.repeat(lead + indent);
  // Too narrow for an indented continuation to help: leave it to the terminal.
  if (cols < pad.length + 10) return line;
  let out = '';
  let width = 0;
  // Where the row's last breakable space is in `out`, and the row's width before it.
  let space = -1;
  let widthBeforeSpace = 0;
  // Columns at the start of this row that are indentation, not content.
  let rowIndent = lead;
  for (let i = 0; i < line.length; ) {
    CSI.lastIndex = i;
    const esc = CSI.exec(line);
    if (esc) {
      out += esc[0];
      i += esc[0].length;
      continue;
    }
    const cp = line.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    const w = columns(cp);
    if (ch === ' ' && width + 1 > cols) {
      // The row is full at a space: the space itself becomes the break.
      out += `\n${pad}`;
      width = pad.length;
      rowIndent = pad.length;
      space = -1;
      continue;
    }
    if (width + w > cols) {
      if (space >= 0) {
        const tail = out.slice(space + 1);
        out = `${out.slice(0, space)}\n${pad}${tail}`;
        width = pad.length + (width - widthBeforeSpace - 1);
      }
      if (space < 0 || width + w > cols) {
        out += `\n${pad}`;
        width = pad.length;
      }
      rowIndent = pad.length;
      space = -1;
    }
    if (ch === ' ' && width > rowIndent) {
      space = out.length;
      widthBeforeSpace = width;
    }
    out += ch;
    width += w;
  }
  return out;
}
