// Each check gets its own seed derived from its lab and name, so reordering or
// adding checks never changes what an existing check sees (FNV-1a, 32 bit).
export function checkSeed(lab: string, check: string): number {
  return fnv1a(`${lab}/${check}`);
}

/** FNV-1a of a text, never 0. */
export function fnv1a(text: string, start = 0x811c9dc5): number {
  let h = start >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h === 0 ? 1 : h;
}

/** The seed of a check's scenario choices: its lab, its name and the program graded. */
export function variationSeed(lab: string, check: string, source: string): number {
  return fnv1a(source, checkSeed(lab, check));
}
