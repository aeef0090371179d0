// Reads the playgrounds a lesson declares (in its MDX source) so the tests can
// run each program and check what the lesson says its trace shows. Node only.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseExpectations, type Expectation } from './expectations.ts';

export interface LessonPlayground {
  lesson: string;
  id: string;
  file: string;
  source: string;
  expect: Expectation[];
  seed?: number;
  untilMs?: number;
}

/** The text of a JSX attribute expression `name={...}`, braces balanced, strings skipped. */
function attributeExpression(tag: string, name: string): string | undefined {
  const start = tag.search(new RegExp(`\\b${name}=\\{`));
  if (start < 0) return undefined;
  let i = tag.indexOf('{', start);
  const open = i;
  let depth = 0;
  let quote: string | null = null;
  for (; i < tag.length; i++) {
    const c = tag[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return tag.slice(open + 1, i);
  }
  throw new Error(`unbalanced braces in ${name}={...}`);
}

/** The playgrounds of a lesson's English text, or of its translation (`index.zh-cn.mdx`). */
export function playgroundsOfLesson(contentDir: string, lesson: string, mdxFile = 'index.mdx'): LessonPlayground[] {
  const dir = path.join(contentDir, lesson);
  const mdx = readFileSync(path.join(dir, mdxFile), 'utf8');
  const imports = new Map<string, string>();
  for (const m of mdx.matchAll(/^import\s+(\w+)\s+from\s+['"]\.\/([\w.-]+\.ts)\?raw['"];?/gm)) imports.set(m[1]!, m[2]!);
  const out: LessonPlayground[] = [];
  for (const m of mdx.matchAll(/<Playground\b[\s\S]*?\/>/g)) {
    const tag = m[0];
    const where = `${lesson}/${mdxFile}`;
    const id = /\bid="([^"]+)"/.exec(tag)?.[1];
    const codeVar = attributeExpression(tag, 'code')?.trim();
    if (!id || !codeVar) throw new Error(`${where}: a <Playground> needs id="..." and code={...}`);
    const file = imports.get(codeVar);
    if (!file) throw new Error(`${where}: playground ${id} uses code={${codeVar}} but nothing imports ${codeVar} from './<file>.ts?raw'`);
    const expr = attributeExpression(tag, 'expect');
    const expect = expr ? parseExpectations(new Function(`return (${expr});`)(), `${where} playground ${id}`) : [];
    const num = (name: string) => {
      const e = attributeExpression(tag, name);
      return e === undefined ? undefined : Number(e.replace(/_/g, ''));
    };
    out.push({ lesson, id, file, source: readFileSync(path.join(dir, file), 'utf8'), expect, seed: num('seed'), untilMs: num('untilMs') });
  }
  return out;
}

export function lessonIds(contentDir: string): string[] {
  return readdirSync(contentDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(contentDir, d.name, 'index.mdx')))
    .map((d) => d.name)
    .sort();
}
