// Where the command writes. Lines are gathered and written in chunks (a trace
// can be hundreds of thousands of lines), at least every 50 ms so a long run
// still streams.
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
  /** Writes what is buffered. */
  flush(): void;
  readonly colorDefault: boolean;
}

export function processOutput(): CliOutput {
  let buffer: string[] = [];
  let size = 0;
  let last = Date.now();
  const flush = () => {
    last = Date.now();
    if (buffer.length === 0) return;
    process.stdout.write(buffer.join(''));
    buffer = [];
    size = 0;
  };
  return {
    out(text) {
      buffer.push(text);
      size += text.length;
      if (size > 64 * 1024 || Date.now() - last > 50) flush();
    },
    err(text) {
      flush();
      process.stderr.write(text);
    },
    flush,
    colorDefault: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
  };
}
