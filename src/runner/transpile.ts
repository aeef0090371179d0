// TypeScript to JavaScript with sucrase, in the browser and in Node alike.
// Sucrase strips types and turns ES imports into CommonJS `require` calls while
// keeping every line where it was, so a runtime error's line number is the
// learner's line; its source map recovers columns.
import { transform } from 'sucrase';
import { decodeMappings, type MappingSegment } from './source-map.ts';
import { TranspileError } from './diagnostics.ts';

export interface Transpiled {
  /** CommonJS JavaScript, line for line with the source. */
  code: string;
  /** Source-map segments per generated line. */
  mappings: MappingSegment[][];
}

interface SucraseError extends Error {
  loc?: { line: number; column: number };
}

/** Transpiles learner TypeScript; throws TranspileError with the learner's line and column. */
export function transpile(source: string, fileName: string): Transpiled {
  try {
    const result = transform(source, {
      transforms: ['typescript', 'imports'],
      filePath: fileName,
      // Keep `import x from 'fs'` even when x is unused, so importing a module a
      // program cannot have is reported, not silently dropped.
      keepUnusedImports: true,
      sourceMapOptions: { compiledFilename: fileName.replace(/\.ts$/, '.js') },
    });
    return { code: result.code, mappings: decodeMappings(result.sourceMap?.mappings ?? '') };
  } catch (error) {
    const e = error as SucraseError;
    // Sucrase appends "(line:column)" to its message and sets `loc` (column 1-based).
    const message = (e.message ?? String(error)).replace(/\s*\(\d+:\d+\)$/, '').replace(/^Error transforming .*?: /, '');
    const line = e.loc?.line ?? 1;
    const column = e.loc?.column ?? 1;
    throw new TranspileError(fileName, [{ line, column, message: `syntax error: ${message}`, severity: 'error' }]);
  }
}
