// Node only: finding a lab by id or folder and reading a learner's file from
// disk. Everything else in src/grading runs in the browser too.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LabChecker } from './define-checker.ts';

export type AnyChecker = LabChecker<Record<string, unknown>>;

export class LabNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabNotFoundError';
  }
}

/** The labs/ folder of this installation (source tree or package). */
export function labsRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [resolve(here, '../../labs'), resolve(here, '../labs'), resolve(process.cwd(), 'labs')]) {
    if (existsSync(join(candidate, 'index.ts'))) return candidate;
  }
  return resolve(process.cwd(), 'labs');
}

/**
 * A lab given as a registered id ('half-close') or as a folder ('labs/half-close',
 * or a lab folder of your own with a checker.ts, loadable where TypeScript
 * imports work, e.g. under tsx).
 */
export async function resolveChecker(arg: string, registry: ReadonlyMap<string, AnyChecker>): Promise<{ checker: AnyChecker; dir: string | null }> {
  const known = [...registry.keys()];
  const byId = registry.get(arg);
  if (byId) {
    const dir = join(labsRoot(), arg);
    return { checker: byId, dir: existsSync(dir) ? dir : null };
  }
  const dir = resolve(arg);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // not a path: fall through to "unknown lab"
  }
  if (!isDir) throw new LabNotFoundError(`unknown lab '${arg}': give a lab id (${known.join(', ')}) or a lab folder`);
  const registered = registry.get(basename(dir));
  if (registered && existsSync(join(dir, 'checker.ts')) && resolve(labsRoot(), basename(dir)) === dir) return { checker: registered, dir };
  const checkerPath = join(dir, 'checker.ts');
  if (!existsSync(checkerPath)) throw new LabNotFoundError(`${arg} is not a lab folder: it has no checker.ts`);
  let mod: { default?: unknown };
  try {
    mod = await importTypeScript(checkerPath);
  } catch (error) {
    throw new LabNotFoundError(`could not load ${checkerPath}: ${(error as Error).message}`);
  }
  const checker = mod.default as AnyChecker | undefined;
  if (!checker || typeof checker !== 'object' || !Array.isArray(checker.checks) || typeof checker.lab !== 'string') {
    throw new LabNotFoundError(`${checkerPath} does not export a checker: end it with \`export default defineChecker({ ... })\``);
  }
  return { checker, dir };
}

/** Reads a learner's file, with a message that says what is wrong with the path. */
export function readLearnerFile(path: string): string {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new LabNotFoundError(`no such file: ${path}`);
  }
  if (stat.isDirectory()) throw new LabNotFoundError(`${path} is a folder: give the TypeScript file to grade`);
  if (stat.size > 1024 * 1024) throw new LabNotFoundError(`${path} is ${stat.size} bytes: a lab solution is a small TypeScript file (at most 1 MiB)`);
  return readFileSync(path, 'utf8');
}

/**
 * Loads a lab's checker.ts from anywhere: bundled with esbuild (a development
 * dependency) into one ES module, so plain Node runs it without a TypeScript loader.
 */
async function importTypeScript(path: string): Promise<{ default?: unknown }> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('loading a lab folder outside this course needs esbuild (npm install in the course checkout), or add the lab to labs/index.ts');
  }
  const out = await esbuild.build({ entryPoints: [path], bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'closing-time-lab-'));
  const file = join(dir, 'checker.mjs');
  try {
    writeFileSync(file, out.outputFiles[0].text);
    return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default?: unknown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
