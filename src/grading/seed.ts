// Each check gets its own seed derived from its lab and name, so reordering or
// adding checks never changes what an existing check sees (FNV-1a, 32 bit).
export function checkSeed(lab: string, check: string): number {
  let h = 0x811c9dc5;
  const text = `${lab}/${check}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h === 0 ? 1 : h;
}
