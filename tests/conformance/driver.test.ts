// Pieces of the kernel driver (scripts/kernel/driver.py) that need no root:
// the crafted segment's checksum and the parsing of ss timer values, which
// must agree with the simulator executor's.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DRIVER } from './kernel-executor.ts';
import { timerMs } from './sim-executor.ts';

const PYTHON = process.env.PYTHON ?? 'python3';
const hasPython = spawnSync(PYTHON, ['--version']).status === 0;

function py(code: string): unknown {
  const res = spawnSync(PYTHON, ['-c', `import sys, json; sys.path.insert(0, ${JSON.stringify(dirname(DRIVER))}); import driver\n${code}`], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout);
}

describe.skipIf(!hasPython)('kernel driver pieces', () => {
  test('a crafted RST carries a checksum that verifies over the pseudo-header, and the fields asked for', () => {
    const out = py(`
import socket, struct
h = driver.tcp_segment("10.200.0.2", "10.200.0.1", 8080, 40000, 0xfffffffe, 0, "R")
pseudo = socket.inet_aton("10.200.0.2") + socket.inet_aton("10.200.0.1") + struct.pack("!BBH", 0, 6, len(h))
sport, dport, seq, ack, off_flags = struct.unpack("!HHIIH", h[:14])
print(json.dumps({"verify": driver.checksum(pseudo + h), "sport": sport, "dport": dport, "seq": seq, "ack": ack, "doff": off_flags >> 12, "flags": off_flags & 0x3f}))
`);
    // The one's-complement sum over a segment with a correct checksum is all ones, so its complement is 0.
    expect(out).toEqual({ verify: 0, sport: 8080, dport: 40000, seq: 0xfffffffe, ack: 0, doff: 5, flags: 0x04 });
  });

  test('ss timer values parse the same in the driver and the simulator executor', () => {
    const texts = ['59sec', '1min2sec', '1.500ms', '200ms', '1min', '10sec', '0ms'];
    const fromPython = py(`print(json.dumps([driver.timer_ms(t) for t in ${JSON.stringify(texts)}]))`);
    expect(fromPython).toEqual([59_000, 62_000, 1_500, 200, 60_000, 10_000, 0]);
    expect(texts.map(timerMs)).toEqual(fromPython);
  });
});
