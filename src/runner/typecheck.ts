// Type-checks a program with the TypeScript 5 compiler against the public API
// (types/closing-time.d.ts), in Node. The results are warnings: a program that
// transpiles still runs, as a browser playground would run it, but the learner
// sees what `tsc` would say, with file and line. In the browser Monaco does this.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from './diagnostics.ts';

/** The globals a program has besides the ES library (see program-scope.ts). */
const PROGRAM_GLOBALS = `
interface Console {
  log(...data: any[]): void; info(...data: any[]): void; debug(...data: any[]): void;
  error(...data: any[]): void; warn(...data: any[]): void; trace(...data: any[]): void;
  dir(item?: any): void; table(data?: any): void; assert(condition?: boolean, ...data: any[]): void;
  count(label?: string): void; countReset(label?: string): void;
  time(label?: string): void; timeEnd(label?: string): void; timeLog(label?: string): void;
  group(...data: any[]): void; groupEnd(): void;
}
declare var console: Console;
/** Virtual milliseconds since the run began (the simulation's clock). */
declare var performance: { now(): number };
`;

export interface TypecheckResult {
  diagnostics: Diagnostic[];
  /** Set when no check ran, and why (e.g. the typescript package is missing). */
  skipped?: string;
}

/** Where the API declarations are, from src/runner or from dist/cli alike (both two levels down). */
export function apiDeclarationsPath(): string {
  return fileURLToPath(new URL('../../types/closing-time.d.ts', import.meta.url));
}

/** Parsed library files (lib.es2022.d.ts and the files it pulls in), kept between checks of one process. */
const libraryCache = new Map<string, import('typescript').SourceFile>();

export async function typecheckProgram(source: string, fileName: string): Promise<TypecheckResult> {
  let ts: typeof import('typescript');
  try {
    const mod = await import('typescript');
    ts = (mod as { default?: typeof import('typescript') }).default ?? mod;
  } catch {
    return { diagnostics: [], skipped: 'type check skipped: the typescript package is not installed (npm install runs it from devDependencies)' };
  }
  let api: string;
  const apiPath = apiDeclarationsPath();
  try {
    api = readFileSync(apiPath, 'utf8');
  } catch {
    return { diagnostics: [], skipped: `type check skipped: ${apiPath} is missing` };
  }
  const root = '/__closing_time__/';
  const programPath = `${root}${fileName.replace(/^.*[\\/]/, '').replace(/\.tsx?$/, '') || 'program'}.ts`;
  const apiVirtual = `${root}node_modules/closing-time/index.d.ts`;
  const globalsPath = `${root}program-globals.d.ts`;
  const files = new Map([
    [programPath, source],
    [apiVirtual, api],
    [globalsPath, PROGRAM_GLOBALS],
  ]);
  const options: import('typescript').CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
    baseUrl: root,
    paths: { 'closing-time': [apiVirtual] },
  };
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    const text = files.get(name);
    if (text !== undefined) return ts.createSourceFile(name, text, languageVersion, true);
    const cached = libraryCache.get(name);
    if (cached) return cached;
    const file = getSourceFile(name, languageVersion, onError, shouldCreate);
    if (file) libraryCache.set(name, file);
    return file;
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.writeFile = () => {};
  const program = ts.createProgram([programPath, globalsPath], options, host);
  const all = ts.getPreEmitDiagnostics(program);
  const diagnostics: Diagnostic[] = [];
  for (const d of all) {
    const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    if (d.file && d.file.fileName === programPath && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      diagnostics.push({ line: line + 1, column: character + 1, message, severity: 'warning' });
    } else if (!d.file) {
      diagnostics.push({ line: 1, column: 1, message, severity: 'warning' });
    }
  }
  return { diagnostics };
}
