// The little markup a lab's hints use, as HTML: `code` and **bold**, everything
// else escaped. Hints come from lab frontmatter (our own text), but nothing in
// them can become markup beyond these two: no tags, attributes or entities.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** `code` spans first (their insides stay literal, asterisks included), then **bold** in the text between them. */
export function inlineMarkup(text: string): string {
  const parts = text.split(/(`[^`]+`)/);
  return parts
    .map((part, i) => (i % 2 === 1 ? `<code>${escape(part.slice(1, -1))}</code>` : escape(part).replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, '<strong>$1</strong>')))
    .join('');
}
