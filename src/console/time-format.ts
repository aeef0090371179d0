// Virtual time as the trace prints it: seconds with millisecond precision, like
// tcpdump's relative timestamps (`tcpdump -ttttt`), e.g. 12010 ms -> "12.010".

/** Formats virtual milliseconds as seconds with three decimals, left-padded to `width`. */
export function formatTime(ms: number, width = 0): string {
  if (!Number.isFinite(ms)) return String(ms).padStart(width);
  const negative = ms < 0;
  const whole = Math.round(Math.abs(ms));
  const text = `${negative ? '-' : ''}${Math.floor(whole / 1000)}.${String(whole % 1000).padStart(3, '0')}`;
  return text.padStart(width);
}

/** A duration for people: "60 s", "1.5 s", "200 ms". */
export function formatDuration(ms: number): string {
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')} s`;
}
