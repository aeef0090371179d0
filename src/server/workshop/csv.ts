// RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote or
// line break, quotes doubled. A cell a spreadsheet would read as a formula
// (= + - @, or a tab or carriage return before one) is made inert with a
// leading apostrophe, as OWASP's CSV-injection advice says; numbers stay numbers.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRows(rows: readonly (readonly unknown[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
