// Join codes as people type them: any case, with or without the hyphen, spaces
// allowed. The server has the last word; this only catches typos early and shows
// codes the way the projector does (KX7P-QM4W).
import { translator, type UiKey } from '../../i18n/index.ts';

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
export function joinCodeProblem(input: string, tr: (key: UiKey, vars?: Record<string, string | number>) => string = translator('en')): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length === 0) return tr('wsJoin.codeEmpty');
  const lookAlike = [...s].find((c) => '0O1IL2Z5S8B'.includes(c));
  if (lookAlike) return tr('wsJoin.codeLookAlike', { char: lookAlike });
  if ([...s].some((c) => !ALPHABET.includes(c))) return tr('wsJoin.codeChars');
  if (s.length !== LENGTH) return tr('wsJoin.codeLength', { len: LENGTH, n: s.length });
  return null;
}
