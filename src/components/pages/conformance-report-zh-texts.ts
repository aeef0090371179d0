// The Chinese of the test data's free texts, keyed by their English: scenario
// titles and reasons (tests/conformance/scenarios), known differences
// (tests/conformance/known-differences.ts) and program notes (src/kernel).
export const REPORT_TEXTS_ZH: Record<string, string> = {
};
