// Options of `closing-time run`, checked strictly: a typo in a flag is a usage
// error, not an option silently ignored.
import { UsageError } from './usage-error.ts';

export interface RunArgs {
  file: string;
  seed: number;
  untilMs?: number;
  wallMs: number;
  busyLoopMs: number;
  json: boolean;
  color: boolean | 'auto';
  absoluteSeq: boolean;
  addresses: 'names' | 'ips';
  deliveries: boolean;
  timers: 'all' | 'notable' | 'none';
  quiet: boolean;
  typecheck: boolean;
  /** Where to write a capture of the run's segments (libpcap), if anywhere. */
  pcap?: string;
  /** Run on the machine's own TCP stack (network namespaces, real sockets) instead of the simulator. */
  kernel: boolean;
}

export const DEFAULTS = { seed: 1, wallMs: 10_000, busyLoopMs: 2000 } as const;

export const RUN_USAGE = `Usage: closing-time run <program.ts> [options]

Runs a program against the simulator and prints its trace, each host's
\`ss -tan\` table at the end, and a summary.

Options:
  --seed N         seed of the run's random numbers (default ${DEFAULTS.seed}); same program + seed, same trace
  --until MS       virtual-time limit in ms (default 600000: long enough for TIME_WAIT and FIN_WAIT_2)
  --wall MS        real-time limit in ms (default ${DEFAULTS.wallMs})
  --busy-loop MS   longest synchronous stretch of program code in real ms (default ${DEFAULTS.busyLoopMs})
  --json           one JSON trace event per line, then one summary line
  --pcap FILE      also write the run's segments to FILE as a capture (libpcap, raw IPv4)
                   for tcpdump -r or Wireshark: taken at each sender, so lost segments
                   are in it; timestamps are virtual time from 1970-01-01 00:00:00 UTC
  --kernel         run on this machine's own Linux TCP stack instead of the simulator
                   (root: a network namespace per host, real sockets; virtual time becomes
                   real time, --until caps it; link delay is not available)
  -S               absolute sequence numbers (like tcpdump -S)
  -n               endpoints as addresses, not host names (like tcpdump -n)
  --deliveries     also show each segment's arrival
  --timers         show every timer event (default: firings and long timers)
  --no-timers      hide timer events
  -q, --quiet      program output and the summary only
  --no-typecheck   skip the TypeScript type check
  --color, --no-color   force colours on or off (default: on for a terminal, off with NO_COLOR)

Exit codes: 0 the program ran (processes still blocked at the end are normal),
1 the program failed (syntax error, exception, busy loop, time limit), 2 usage error.`;

function number(flag: string, value: string | undefined, { min, integer }: { min: number; integer?: boolean }): number {
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got '${value}'`);
  }
  return n;
}

export function parseRunArgs(argv: readonly string[]): RunArgs {
  const args: Partial<RunArgs> & Pick<RunArgs, 'json' | 'color' | 'absoluteSeq' | 'addresses' | 'deliveries' | 'timers' | 'quiet' | 'typecheck' | 'kernel'> = {
    json: false,
    color: 'auto',
    absoluteSeq: false,
    addresses: 'names',
    deliveries: false,
    timers: 'notable',
    quiet: false,
    typecheck: true,
    kernel: false,
  };
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--seed':
        args.seed = number('--seed', value(), { min: 0, integer: true });
        if (args.seed > 0xffffffff) throw new UsageError(`--seed must fit in 32 bits, got ${args.seed}`);
        break;
      case '--until':
        args.untilMs = number('--until', value(), { min: 1 });
        break;
      case '--wall':
        args.wallMs = number('--wall', value(), { min: 1 });
        break;
      case '--busy-loop':
        args.busyLoopMs = number('--busy-loop', value(), { min: 1 });
        break;
      case '--json':
        args.json = true;
        break;
      case '--pcap': {
        const file = value();
        if (file === '-') throw new UsageError('--pcap writes a file, not standard output: give a file name, e.g. --pcap out.pcap');
        if (file === undefined || file === '' || file.startsWith('-')) throw new UsageError('--pcap needs a file name, e.g. --pcap out.pcap');
        args.pcap = file;
        break;
      }
      case '--color':
        args.color = true;
        break;
      case '--no-color':
        args.color = false;
        break;
      case '-S':
        args.absoluteSeq = true;
        break;
      case '-n':
        args.addresses = 'ips';
        break;
      case '--deliveries':
        args.deliveries = true;
        break;
      case '--timers':
        args.timers = 'all';
        break;
      case '--no-timers':
        args.timers = 'none';
        break;
      case '-q':
      case '--quiet':
        args.quiet = true;
        break;
      case '--kernel':
        args.kernel = true;
        break;
      case '--no-typecheck':
        args.typecheck = false;
        break;
      default:
        if (raw.startsWith('-') && raw !== '-') throw new UsageError(`unknown option '${raw}'`);
        files.push(raw);
    }
  }
  if (files.length === 0) throw new UsageError('run needs a program file, e.g. closing-time run examples/four-way-close.ts');
  if (files.length > 1) throw new UsageError(`run takes one program file, got ${files.length}: ${files.join(', ')}`);
  return {
    ...args,
    file: files[0],
    seed: args.seed ?? DEFAULTS.seed,
    wallMs: args.wallMs ?? DEFAULTS.wallMs,
    busyLoopMs: args.busyLoopMs ?? DEFAULTS.busyLoopMs,
  };
}
