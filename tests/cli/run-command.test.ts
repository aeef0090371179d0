// The command's contract: exit codes, messages with the learner's file and
// line, determinism, limits, and the plain-text report.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli, cliJson, program } from './run-cli.ts';

beforeAll(() => buildCli());

const HEADER = "import type { Simulation } from 'closing-time';\n";

describe('closing-time run', () => {
  it('gives byte-identical --json output for the same program and seed, and different output for another seed', async () => {
    const [a, b, c] = await Promise.all([
      cli(['run', 'examples/lost-last-ack.ts', '--seed', '7', '--json', '--no-typecheck']),
      cli(['run', 'examples/lost-last-ack.ts', '--seed', '7', '--json', '--no-typecheck']),
      cli(['run', 'examples/lost-last-ack.ts', '--seed', '8', '--json', '--no-typecheck']),
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(1000);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('prints one JSON event per line and a final summary line', async () => {
    const run = await cliJson(['run', 'examples/four-way-close.ts', '--no-typecheck']);
    expect(run.events.length).toBeGreaterThan(20);
    expect(run.events.every((e) => typeof e.kind === 'string' && typeof e.t === 'number')).toBe(true);
    expect(run.events.map((e) => e.n)).toEqual([...run.events.map((e) => e.n)].sort((x, y) => x - y));
    expect(run.final).toMatchObject({ kind: 'summary', ok: true, exitCode: 0 });
  });

  it('prints a readable trace, each host\'s ss table and the summary', async () => {
    const run = await cli(['run', 'examples/four-way-close.ts', '--no-typecheck']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}0\.000 client\.\d+ > server\.80: Flags \[S\], seq \d+, win 65535, length 0$/m);
    expect(run.stdout).toMatch(/client\.\d+ > server\.80: Flags \[F\.\], seq 6, ack 12, win \d+, length 0$/m);
    expect(run.stdout).toMatch(/client 10\.0\.0\.1:\d+ FIN_WAIT_2 -> TIME_WAIT \(rcv FIN\)/);
    expect(run.stdout).toContain('client (10.0.0.1) $ ss -tano\nState Recv-Q Send-Q Local Address:Port Peer Address:PortProcess');
    expect(run.stdout).toMatch(/The run ended at 60\.\d+ s \(virtual time\): nothing was left to do\./);
  });

  it('reports a syntax error with file, line and column, runs nothing, exits 1', async () => {
    const file = program('syntax.ts', `${HEADER}export default function (sim: Simulation) {\n  const x = ;\n}\n`);
    const run = await cli(['run', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`${file}:3:13: error: syntax error: Unexpected token\n`);
    expect(run.stdout).toBe('');
  });

  it('reports an exception escaping a process with the learner line, exits 1', async () => {
    const file = program(
      'throws.ts',
      `${HEADER}export default function (sim: Simulation) {\n  sim.host('a').run(async (os) => {\n    await os.sleep(5);\n    const o: any = undefined;\n    o.field = 1;\n  });\n}\n`,
    );
    const run = await cli(['run', file, '--no-typecheck']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`a[100] failed: TypeError: Cannot set properties of undefined (setting 'field') (${file}:6:13)`);
    expect(run.stderr).toContain(`error: a[100]: TypeError: Cannot set properties of undefined (setting 'field') (${file}:6:13)`);
  });

  it('stops a synchronous busy loop with its line, exits 1', async () => {
    const file = program(
      'busy.ts',
      `${HEADER}export default function (sim: Simulation) {\n  sim.host('a').run(async (os) => {\n    await os.sleep(5);\n    let n = 0;\n    while (n >= 0) n++;\n  });\n}\n`,
    );
    const started = Date.now();
    const run = await cli(['run', file, '--no-typecheck', '--busy-loop', '300']);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: busy loop: the program ran for 300 ms without waiting on the simulator (${file}:6)`);
  });

  it('stops a busy loop in the default export itself (before any process runs)', async () => {
    const file = program('busy-top.ts', `${HEADER}export default function (sim: Simulation) {\n  for (;;) {}\n}\n`);
    const run = await cli(['run', file, '--no-typecheck', '--busy-loop', '200']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`busy loop: the program ran for 200 ms without waiting on the simulator (${file}:3)`);
  });

  it('reports a socket call with wrong arguments at the learner line, exits 1', async () => {
    const file = program(
      'badargs.ts',
      `${HEADER}export default function (sim: Simulation) {\n  sim.host('a').run(async (os) => {\n    const s = os.socket();\n    s.bind({ port: 'eighty' as any });\n  });\n}\n`,
    );
    const run = await cli(['run', file, '--no-typecheck']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`error: a\\[100\\]: SocketError: bind: EINVAL .*\\(${file.replace(/[.]/g, '\\.')}:5:7\\)`));
  });

  it('reports a type error as a warning with file and line, and still runs the program', async () => {
    const file = program(
      'typeerr.ts',
      `${HEADER}export default function (sim: Simulation) {\n  const n: number = 'not a number';\n  sim.host('a').run(async () => { console.log('ran with', n); });\n}\n`,
    );
    const run = await cli(['run', file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`${file}:3:9: warning: TS2322: Type 'string' is not assignable to type 'number'.`);
    expect(run.stdout).toContain('a[100] stdout| ran with not a number');
  });

  it('refuses an import other than closing-time with file and line', async () => {
    const file = program('imports.ts', `${HEADER}import { readFileSync } from 'node:fs';\nexport default function (sim: Simulation) {}\n`);
    const run = await cli(['run', file, '--no-typecheck']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`${file}:2:30: error: Cannot import 'node:fs': programs can only import 'closing-time'\n`);
  });

  it('lists a server blocked in accept() in the summary and exits 0', async () => {
    const file = program(
      'blocked.ts',
      `${HEADER}export default function (sim: Simulation) {\n  sim.host('server').run(async (os) => {\n    const ls = os.socket();\n    ls.bind({ port: 80 });\n    ls.listen();\n    await ls.accept();\n  });\n}\n`,
    );
    const run = await cli(['run', file, '--no-typecheck']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Still waiting when the run ended (not an error, e.g. a server waiting for more clients):\n  server[100] in accept');
    expect(run.stderr).toBe('');
  });

  it('never hangs: the virtual-time limit ends a program that sleeps forever', async () => {
    const file = program('forever.ts', `${HEADER}export default function (sim: Simulation) {\n  sim.host('a').run(async (os) => { for (;;) await os.sleep(10); });\n}\n`);
    const run = await cliJson(['run', file, '--no-typecheck', '--until', '5000']);
    expect(run.code).toBe(0);
    expect(run.final.summary!.endedBy).toBe('time-limit');
    expect(run.final.summary!.message).toMatch(/virtual-time limit/);
  });

  it('never hangs: the wall-time limit ends a run that keeps the simulator busy, exit 1', async () => {
    const file = program(
      'storm.ts',
      `${HEADER}export default function (sim: Simulation) {\n  sim.host('a').run(async (os) => { for (;;) await os.sleep(0.001); });\n}\n`,
    );
    const started = Date.now();
    const run = await cliJson(['run', file, '--no-typecheck', '--wall', '500', '--until', '1e12']);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.code).toBe(1);
    expect(run.final.errors[0].kind).toBe('wall-limit');
  });

  it('treats a missing file, an unknown option and a bad number as usage errors (exit 2)', async () => {
    const [missing, unknown, bad, none] = await Promise.all([
      cli(['run', 'no/such/file.ts']),
      cli(['run', 'examples/four-way-close.ts', '--frobnicate']),
      cli(['run', 'examples/four-way-close.ts', '--seed', 'abc']),
      cli(['run']),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('closing-time: no such file: no/such/file.ts');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("closing-time: unknown option '--frobnicate'");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("closing-time: --seed must be an integer >= 0, got 'abc'");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('run needs a program file');
  });

  it('answers help and --version', async () => {
    const [help, version, runHelp, unknown] = await Promise.all([cli(['--help']), cli(['--version']), cli(['help', 'run']), cli(['launch'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('closing-time run <program.ts>');
    expect(version.stdout).toMatch(/^closing-time \d+\.\d+\.\d+\n$/);
    expect(runHelp.stdout).toContain('--busy-loop MS');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'launch'");
  });
});
