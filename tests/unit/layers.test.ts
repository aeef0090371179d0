// The source tree's layers import downward only: each folder of src/ may import
// the folders before it in LAYERS and none after it, and src/sim imports nothing.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'src');

/**
 * design.md's layout, with the folders it does not name put where their imports
 * place them:
 * - i18n: the interface catalogues, plain strings, read by everything that prints;
 * - kernel: runs a program on the real kernel (runner and sim below it);
 * - labs/ (outside src): the checkers, on grading and sim;
 * - layouts: the course's page frames, around components;
 * - components/pages: the page bodies both languages' routes render (Astro makes a
 *   route of every file under src/pages, so they live beside the components), part of
 *   the pages layer.
 * styles import nothing; content.config.ts imports only Astro.
 */
const LAYERS = ['sim', 'i18n', 'runner', 'grading', 'console', 'kernel', 'labs', 'components', 'layouts', 'pages', 'server', 'cli'] as const;

/** Folders outside the layers that any layer may read: the learner-facing API's declarations (types only), lesson data and the style sheets. */
const SHARED = new Set(['types', 'content', 'styles']);

function layerOf(path: string): string | undefined {
  const rel = relative(root, path).split(sep);
  if (rel[0] === 'labs') return 'labs';
  if (rel[0] !== 'src') return rel[0];
  if (rel[1] === 'components' && rel[2] === 'pages') return 'pages';
  return rel[1]!.replace(/\.[^.]+$/, '');
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx|mts|js|mjs|astro)$/.test(name)) out.push(p);
  }
  return out;
}

interface Import {
  readonly from: string;
  readonly spec: string;
  readonly typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  return importsFromText(file, readFileSync(file, 'utf8'));
}

function importsFromText(file: string, text: string): Import[] {
  const out: Import[] = [];
  const re = /\b(import|export)\s+(type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]|import\.meta\.glob[^(]*\(\s*['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5] ?? m[6]!;
    out.push({ from: file, spec, typeOnly: m[2] !== undefined });
  }
  return out;
}

/** What is wrong with one import, or undefined when it goes downward. */
function problem(file: string, spec: string, typeOnly: boolean): string | undefined {
  const from = layerOf(file)!;
  const where = relative(root, file);
  if (!spec.startsWith('.')) {
    // Packages: the simulator runs in a worker, in Node and in the sandbox, with nothing but itself.
    return from === 'sim' ? `${where} imports the package '${spec}'` : undefined;
  }
  const to = layerOf(resolve(dirname(file), spec))!;
  if (to === from) return undefined;
  if (SHARED.has(to)) {
    return from === 'sim' && !typeOnly ? `${where} imports '${spec}' (the simulator may take only types from the API's declarations)` : undefined;
  }
  const rank = LAYERS.indexOf(from as (typeof LAYERS)[number]);
  const toRank = LAYERS.indexOf(to as (typeof LAYERS)[number]);
  if (rank < 0) return `${where} is in '${from}', which is not a layer`;
  if (toRank < 0) return `${where} imports '${spec}' from '${to}', which is not a layer`;
  if (toRank > rank) return `${where} (${from}) imports '${spec}' from the higher layer ${to}`;
  return undefined;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of [...sources(src), ...sources(join(root, 'labs'))]) {
    for (const imp of importsOf(file)) {
      const p = problem(file, imp.spec, imp.typeOnly);
      if (p) found.push(p);
    }
  }
  return found;
}

describe('source layers', () => {
  it('import downward only, and the simulator imports nothing', () => {
    expect(violations()).toEqual([]);
  });

  it('an upward import, a package in the simulator or a value from the API declarations would be named', () => {
    expect(problem(join(src, 'sim', 'world.ts'), '../runner/limits.ts', false)).toMatch(/higher layer runner/);
    expect(problem(join(src, 'console', 'summary.ts'), '../components/x.ts', false)).toMatch(/higher layer components/);
    expect(problem(join(src, 'sim', 'world.ts'), 'node:fs', false)).toMatch(/package 'node:fs'/);
    expect(problem(join(src, 'sim', 'errors.ts'), '../../types/closing-time.d.ts', false)).toMatch(/only types/);
    expect(problem(join(src, 'sim', 'errors.ts'), '../../types/closing-time.d.ts', true)).toBeUndefined();
    expect(problem(join(src, 'pages', 'index.astro'), '../components/pages/HomePage.astro', false)).toBeUndefined();
    expect(problem(join(src, 'components', 'pages', 'LabPage.astro'), '../../layouts/CourseLayout.astro', false)).toBeUndefined();
  });

  it('reads imports of every form', () => {
    const file = join(src, 'sim', 'x.ts');
    const forms = [
      "import { a } from '../y.ts';",
      "import type { B } from '../y.ts';",
      "export { c } from '../y.ts';",
      "const m = await import('../y.ts');",
      "import '../y.css';",
    ];
    expect(forms.map((f) => importsFromText(file, f).map((i) => [i.spec, i.typeOnly]))).toEqual([
      [['../y.ts', false]],
      [['../y.ts', true]],
      [['../y.ts', false]],
      [['../y.ts', false]],
      [['../y.css', false]],
    ]);
  });
});
