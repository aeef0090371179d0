// How trace lines are drawn. Shared by the CLI and the site's console.

export interface FormatOptions {
  /** ANSI colours (SYN green, FIN yellow, RST red, data cyan, drops red ...). Default false. */
  color?: boolean;
  /** Pad the time column to this many characters so lines align. Default 0. */
  timeWidth?: number;
  /** Absolute sequence numbers (tcpdump -S). Default false: relative to each direction's ISN. */
  absoluteSeq?: boolean;
  /** Name endpoints by host name ('client.49152', default) or by address ('10.0.0.1.49152', tcpdump -n). */
  addresses?: 'names' | 'ips';
  /** Append a segment's data in quotes, cut at this many characters; 0 leaves it out. Default 40. */
  payloadChars?: number;
  /** Append TCP options (timestamps), as tcpdump's `options [nop,nop,TS val .. ecr ..]`. Default false. */
  tcpOptions?: boolean;
  /** The program's file name, to say where a failing process threw: `(prog.ts:12:5)`. */
  fileName?: string;
}

export interface ResolvedFormatOptions {
  color: boolean;
  timeWidth: number;
  absoluteSeq: boolean;
  addresses: 'names' | 'ips';
  payloadChars: number;
  tcpOptions: boolean;
  fileName: string | undefined;
}

export function resolveFormatOptions(options: FormatOptions = {}): ResolvedFormatOptions {
  return {
    color: options.color ?? false,
    timeWidth: options.timeWidth ?? 0,
    absoluteSeq: options.absoluteSeq ?? false,
    addresses: options.addresses ?? 'names',
    payloadChars: options.payloadChars ?? 40,
    tcpOptions: options.tcpOptions ?? false,
    fileName: options.fileName,
  };
}
