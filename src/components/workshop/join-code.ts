// Join codes as people type them: any case, with or without the hyphen, spaces
// allowed. The server has the last word; this only catches typos early and shows
// codes the way the projector does (KX7P-QM4W).

// The server's alphabet: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, so a code read aloud or
// off a projector cannot be mistaken.
const ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';
const LENGTH = 8;

/** The canonical form (upper case, hyphen in the middle), or null when it cannot be a code. */
export function normalizeJoinCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length !== LENGTH || [...s].some((c) => !ALPHABET.includes(c))) return null;
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** Why a typed code is not a code, in words a learner can act on; null when it is fine. */
export function joinCodeProblem(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length === 0) return 'Type the code your instructor shows (it looks like KX7P-QM4W).';
  const lookAlike = [...s].find((c) => '0O1IL2Z5S8B'.includes(c));
  if (lookAlike) return `Codes never contain ${lookAlike}: check the code on the screen again.`;
  if ([...s].some((c) => !ALPHABET.includes(c))) return 'A code has only letters and digits.';
  if (s.length !== LENGTH) return `A code has ${LENGTH} letters and digits; you typed ${s.length}.`;
  return null;
}
