// The Simplified Chinese edition covers the whole course: every lesson has its
// index.zh-cn.mdx beside index.mdx, every lab its lab.zh-cn.mdx beside lab.mdx,
// and every lab's checker a message catalogue with zh-CN messages. A translation
// keeps what is not text: the frontmatter's numbers and ids, the programs it
// imports, and each playground's id, program, seed, limits and expectations
// (only titles and labels change), so a reader's saved edits and progress follow
// them from one edition to the other and the lesson tests hold for both.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkers } from '../../labs/index.ts';
import { playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';

const root = path.resolve(__dirname, '../..');
const contentDir = path.join(root, 'content');
const labsDir = path.join(root, 'labs');
const HAN = /\p{Script=Han}/u;

const dirsWith = (dir: string, file: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, file)))
    .map((d) => d.name)
    .sort();

/** The frontmatter as the lessons write it: `key: value` (numbers, [a, b], strings) and `key:` with `  - "item"` lines. */
function frontmatter(file: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---/.exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`${file}: no frontmatter`);
  const scalar = (v: string): unknown => {
    if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    if (/^\[.*\]$/.test(v)) return v.slice(1, -1).split(',').map((x) => x.trim()).filter(Boolean);
    if (/^".*"$/.test(v)) return JSON.parse(v);
    if (/^'.*'$/.test(v)) return v.slice(1, -1).replace(/''/g, "'");
    return v;
  };
  const out: Record<string, unknown> = {};
  let list: unknown[] | null = null;
  for (const line of m[1]!.split('\n')) {
    const item = /^\s+-\s+(.*)$/.exec(line);
    if (item && list) list.push(scalar(item[1]!.trim()));
    const kv = /^(\w+):\s*(.*)$/.exec(line);
    if (!kv) continue;
    if (kv[2] === '') out[kv[1]!] = list = [];
    else (out[kv[1]!] = scalar(kv[2]!.trim())), (list = null);
  }
  return out;
}

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^import\s.+$/gm)].map((m) => m[0]).sort();
/** What a playground is without its words: everything but its title and the labels of its expectations. */
const programOf = (contentDir: string, lesson: string, file: string) =>
  playgroundsOfLesson(contentDir, lesson, file).map((p) => ({ ...p, expect: p.expect.map(({ label: _label, ...e }) => e) }));

describe('Simplified Chinese edition: lessons', () => {
  for (const lesson of dirsWith(contentDir, 'index.mdx')) {
    const en = path.join(contentDir, lesson, 'index.mdx');
    const zh = path.join(contentDir, lesson, 'index.zh-cn.mdx');
    it(`${lesson} has its translation, index.zh-cn.mdx`, () => {
      expect(existsSync(zh), `content/${lesson}/index.zh-cn.mdx is missing`).toBe(true);
    });
    if (!existsSync(zh)) continue;
    it(`${lesson}: the translation keeps the frontmatter's numbers and labs, the imports and the playgrounds`, () => {
      const a = frontmatter(en);
      const b = frontmatter(zh);
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const k of ['order', 'minutes', 'labs']) expect(b[k], k).toEqual(a[k]);
      for (const k of ['title', 'summary']) expect(HAN.test(String(b[k])), `${k} is in Chinese`).toBe(true);
      expect(imports(zh)).toEqual(imports(en));
      expect(programOf(contentDir, lesson, 'index.zh-cn.mdx')).toEqual(programOf(contentDir, lesson, 'index.mdx'));
    });
  }
});

describe('Simplified Chinese edition: labs', () => {
  for (const lab of dirsWith(labsDir, 'lab.mdx')) {
    const en = path.join(labsDir, lab, 'lab.mdx');
    const zh = path.join(labsDir, lab, 'lab.zh-cn.mdx');
    it(`${lab} has its translation, lab.zh-cn.mdx`, () => {
      expect(existsSync(zh), `labs/${lab}/lab.zh-cn.mdx is missing`).toBe(true);
    });
    if (!existsSync(zh)) continue;
    it(`${lab}: the translation keeps the frontmatter's ids and numbers and translates every hint`, () => {
      const a = frontmatter(en);
      const b = frontmatter(zh);
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const k of ['lesson', 'difficulty', 'points', 'order']) expect(b[k], k).toEqual(a[k]);
      const hints = (b.hints ?? []) as string[];
      expect(hints.length, 'as many hints as the English').toBe(((a.hints ?? []) as string[]).length);
      for (const h of hints) expect(HAN.test(h), h).toBe(true);
      for (const k of ['title', 'summary']) expect(HAN.test(String(b[k])), `${k} is in Chinese`).toBe(true);
    });
  }

  for (const [lab, checker] of checkers) {
    it(`${lab}: the checker's messages come from a catalogue with zh-CN messages (labs/${lab}/messages.ts)`, () => {
      expect(checker.messages?.messages['zh-CN'], `labs/${lab}/checker.ts writes its messages inline, in English only`).toBeDefined();
      expect(Object.keys(checker.messages?.checks['zh-CN'] ?? {}).sort()).toEqual(checker.checks.map((c) => c.name).sort());
    });

    const scenarioFile = path.join(labsDir, lab, 'scenario.ts');
    if (!existsSync(scenarioFile)) continue;
    it(`${lab}: every item of the Run checklist (scenario.ts expect) has its Chinese label, and no other`, async () => {
      const { expect: items = [] } = (await import(scenarioFile)) as { expect?: { label?: string }[] };
      const english = items.map((e) => e.label).filter((l): l is string => l !== undefined);
      const zh = checker.messages?.expectLabels?.['zh-CN'] ?? {};
      expect(english.filter((l) => !(l in zh)), `labels with no Chinese in labs/${lab}/messages.ts expectLabels`).toEqual([]);
      expect(Object.keys(zh).filter((l) => !english.includes(l)), `Chinese labels of no item (the English changed?)`).toEqual([]);
      for (const l of english) expect(HAN.test(zh[l]!), l).toBe(true);
    });
  }
});

describe('Simplified Chinese edition: kept in step with the English', () => {
  // docs/translations.json records the English text each translation was last brought up
  // to date with (scripts/translations-synced.mjs writes it).
  const ledgerFile = path.join(root, 'docs', 'translations.json');
  const ledger: Record<string, string> = existsSync(ledgerFile) ? JSON.parse(readFileSync(ledgerFile, 'utf8')) : {};
  const pairs = [
    ...dirsWith(contentDir, 'index.mdx').map((l) => `content/${l}/index.mdx`),
    ...dirsWith(labsDir, 'lab.mdx').map((l) => `labs/${l}/lab.mdx`),
  ];
  for (const en of pairs) {
    it(`${en}: its translation follows the English as it is now`, () => {
      const now = createHash('sha256').update(readFileSync(path.join(root, en))).digest('hex');
      expect(
        ledger[en],
        `${en} changed since its zh-CN translation was last brought up to date: update ${en.replace(/(index|lab)\.mdx$/, '$1.zh-cn.mdx')}, then run node scripts/translations-synced.mjs ${en}`,
      ).toBe(now);
    });
  }
});
