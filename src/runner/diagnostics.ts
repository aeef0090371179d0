// What the runner reports about a program before and around running it.

/** A problem at a place in the learner's file. Lines and columns are 1-based. */
export interface Diagnostic {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
}

/** Thrown when a program cannot be turned into JavaScript; carries its diagnostics. */
export class TranspileError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(readonly fileName: string, diagnostics: Diagnostic[]) {
    const first = diagnostics[0];
    super(first ? `${fileName}:${first.line}:${first.column}: ${first.message}` : `${fileName}: cannot be compiled`);
    this.name = 'TranspileError';
    this.diagnostics = diagnostics;
  }
}
