// Collects what a learner's program prints during one check, with a cap so a
// program that prints megabytes costs neither memory nor time.
import { graderMessages, type GradeLang } from './messages.ts';

export class OutputBuffer {
  private parts: string[] = [];
  private kept = 0;
  private total = 0;

  constructor(private readonly capBytes = 64 * 1024) {}

  write(text: string): void {
    this.total += text.length;
    if (this.kept >= this.capBytes) return;
    const room = this.capBytes - this.kept;
    const piece = text.length > room ? text.slice(0, room) : text;
    this.parts.push(piece);
    this.kept += piece.length;
  }

  get bytes(): number {
    return this.total;
  }

  /** At most `limit` characters (Exercism shows 500), with a note of what was cut in `lang`. */
  summary(limit = 500, lang: GradeLang = 'en'): string | null {
    if (this.total === 0) return null;
    const text = this.parts.join('');
    if (this.total <= limit) return text;
    const note = `\n${graderMessages[lang].outputTruncated({ n: this.total })}`;
    return text.slice(0, Math.max(0, limit - note.length)) + note;
  }
}
