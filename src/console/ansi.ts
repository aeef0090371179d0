// ANSI SGR colours for terminals (the CLI) and xterm (the site console). Kept to
// the 8 basic colours so every terminal theme renders them.

export type Style = 'dim' | 'bold' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'boldRed' | 'boldBlue';

const CODES: Record<Style, [string, string]> = {
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
  red: ['\x1b[31m', '\x1b[39m'],
  green: ['\x1b[32m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  blue: ['\x1b[34m', '\x1b[39m'],
  magenta: ['\x1b[35m', '\x1b[39m'],
  cyan: ['\x1b[36m', '\x1b[39m'],
  boldRed: ['\x1b[1;31m', '\x1b[22;39m'],
  boldBlue: ['\x1b[1;34m', '\x1b[22;39m'],
};

/** Wraps `text` in the style's escape codes when `enabled`; returns it unchanged otherwise. */
export function paint(style: Style | null, text: string, enabled: boolean): string {
  if (!enabled || !style || text === '') return text;
  const [open, close] = CODES[style];
  return open + text + close;
}

/** Removes ANSI escape sequences, e.g. to measure or compare coloured lines. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
