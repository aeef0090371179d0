// Keeps what a grading sends back small: a program controls the text of its
// errors and its output, and one result must not cost the server megabytes.
// Works on the isolate's JSON text, whatever it holds; the pool validates the
// shape afterwards.

const MESSAGE_CHARS = 4000;
const OUTPUT_CHARS = 1000;
/** Longer than this, the text is not even parsed. */
const MAX_RAW_CHARS = 8 * 1024 * 1024;

export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` [... ${text.length - max} more characters cut]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

type Json = Record<string, unknown>;

function clipField(obj: Json, key: string, max: number): void {
  if (typeof obj[key] === 'string') obj[key] = clip(obj[key] as string, max);
}

function capTest(test: unknown, messageChars: number, outputChars: number | null): void {
  if (!test || typeof test !== 'object') return;
  const t = test as Json;
  clipField(t, 'message', messageChars);
  if (outputChars === null) t.output = null;
  else clipField(t, 'output', outputChars);
  clipField(t, 'name', 500);
  clipField(t, 'test_code', 2000);
}

/** The result JSON cut to at most `maxChars` characters, or null when it cannot be (or is not JSON). */
export function capResultJson(json: string, maxChars: number): string | null {
  if (json.length <= maxChars) return json;
  if (json.length > MAX_RAW_CHARS) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const result = parsed as Json;
  const tests = Array.isArray(result.tests) ? (result.tests as unknown[]) : [];
  // Progressively harder cuts: long texts first, then outputs, then messages to a line.
  const steps: [number, number | null][] = [
    [MESSAGE_CHARS, OUTPUT_CHARS],
    [1000, 500],
    [1000, null],
    [200, null],
  ];
  for (const [messageChars, outputChars] of steps) {
    clipField(result, 'message', messageChars);
    for (const t of tests) capTest(t, messageChars, outputChars);
    const text = JSON.stringify(result);
    if (text.length <= maxChars) return text;
  }
  return null;
}

/** One check's JSON cut to `maxChars`, or null. */
export function capTestJson(json: string, maxChars: number): string | null {
  if (json.length <= maxChars) return json;
  if (json.length > MAX_RAW_CHARS) return null;
  try {
    const test = JSON.parse(json) as unknown;
    capTest(test, 1000, 500);
    const text = JSON.stringify(test);
    return text.length <= maxChars ? text : null;
  } catch {
    return null;
  }
}
