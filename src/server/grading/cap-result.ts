// Keeps what a grading sends back small: a program controls the text of its
// errors and its output, and one result must not cost the server megabytes.
// Works on the isolate's JSON text, whatever it holds; the pool validates the
// shape afterwards.

import { graderMessages, parseGradeLang, type GradeLang } from '../../grading/messages.ts';

const MESSAGE_CHARS = 4000;
const OUTPUT_CHARS = 1000;
/** Longer than this, the text is not even parsed. */
const MAX_RAW_CHARS = 8 * 1024 * 1024;

export function clip(text: string, max: number, lang: GradeLang = 'en'): string {
  if (text.length <= max) return text;
  const note = ` ${graderMessages[lang].textCut({ n: text.length - max })}`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

type Json = Record<string, unknown>;

function clipField(obj: Json, key: string, max: number, lang: GradeLang): void {
  if (typeof obj[key] === 'string') obj[key] = clip(obj[key] as string, max, lang);
}

function capTest(test: unknown, messageChars: number, outputChars: number | null, lang: GradeLang): void {
  if (!test || typeof test !== 'object') return;
  const t = test as Json;
  clipField(t, 'message', messageChars, lang);
  if (outputChars === null) t.output = null;
  else clipField(t, 'output', outputChars, lang);
  clipField(t, 'name', 500, lang);
  clipField(t, 'test_code', 2000, lang);
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
  // The note on what was cut is in the result's own language.
  const lang = parseGradeLang(typeof result.lang === 'string' ? result.lang : null) ?? 'en';
  for (const [messageChars, outputChars] of steps) {
    clipField(result, 'message', messageChars, lang);
    for (const t of tests) capTest(t, messageChars, outputChars, lang);
    const text = JSON.stringify(result);
    if (text.length <= maxChars) return text;
  }
  return null;
}

/** One check's JSON cut to `maxChars`, or null. */
export function capTestJson(json: string, maxChars: number, lang: GradeLang = 'en'): string | null {
  if (json.length <= maxChars) return json;
  if (json.length > MAX_RAW_CHARS) return null;
  try {
    const test = JSON.parse(json) as unknown;
    capTest(test, 1000, 500, lang);
    const text = JSON.stringify(test);
    return text.length <= maxChars ? text : null;
  } catch {
    return null;
  }
}
