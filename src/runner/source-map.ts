// Reads the `mappings` of a version 3 source map (the Base64 VLQ format of
// https://tc39.es/ecma426/) into per-line segment lists, enough to map a
// generated line and column back to the original file.

export interface MappingSegment {
  /** 0-based column in the generated line. */
  genColumn: number;
  /** 0-based line and column in the source. */
  srcLine: number;
  srcColumn: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((ch, i) => [ch, i]));

function decodeVlq(text: string, start: number): [values: number[], end: number] {
  const values: number[] = [];
  let i = start;
  let value = 0;
  let shift = 0;
  while (i < text.length && text[i] !== ',' && text[i] !== ';') {
    const digit = DIGIT.get(text[i]);
    if (digit === undefined) throw new Error(`invalid source map character '${text[i]}'`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
    i++;
  }
  return [values, i];
}

/** Decodes `mappings` into segments per generated line (index 0 = line 1), sorted by column. */
export function decodeMappings(mappings: string): MappingSegment[][] {
  const lines: MappingSegment[][] = [[]];
  let srcLine = 0;
  let srcColumn = 0;
  let genColumn = 0;
  let i = 0;
  while (i < mappings.length) {
    const ch = mappings[i];
    if (ch === ';') {
      lines.push([]);
      genColumn = 0;
      i++;
      continue;
    }
    if (ch === ',') {
      i++;
      continue;
    }
    const [values, end] = decodeVlq(mappings, i);
    i = end;
    genColumn += values[0] ?? 0;
    if (values.length >= 4) {
      srcLine += values[2];
      srcColumn += values[3];
      lines[lines.length - 1].push({ genColumn, srcLine, srcColumn });
    }
  }
  for (const line of lines) line.sort((a, b) => a.genColumn - b.genColumn);
  return lines;
}

/** The source position of a generated one (all 0-based), or null when the line has no mapping. */
export function originalPosition(lines: MappingSegment[][], genLine: number, genColumn: number): { line: number; column: number } | null {
  const segments = lines[genLine];
  if (!segments || segments.length === 0) return null;
  let best = segments[0];
  for (const s of segments) {
    if (s.genColumn > genColumn) break;
    best = s;
  }
  const delta = best.genColumn <= genColumn ? genColumn - best.genColumn : 0;
  return { line: best.srcLine, column: best.srcColumn + delta };
}
