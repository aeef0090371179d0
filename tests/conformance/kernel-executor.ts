// Runs scenarios on the real Linux TCP stack through scripts/kernel/driver.py
// (python3, standard library only), one driver process per scenario, several
// at once: each has its own namespaces, so they cannot disturb each other.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Observations, Scenario } from './scenario.ts';
import { markRetransmissions } from './scenario.ts';

export const DRIVER = fileURLToPath(new URL('../../scripts/kernel/driver.py', import.meta.url));
const PYTHON = process.env.PYTHON ?? 'python3';

/** Why the kernel suite cannot run here, or null if it can. */
export function kernelUnavailable(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  const res = spawnSync(PYTHON, [DRIVER, '--check'], { encoding: 'utf8', timeout: 20_000 });
  if (res.error) return `cannot start ${PYTHON}: ${res.error.message}`;
  try {
    const out = JSON.parse(res.stdout) as { ok: boolean; reason: string | null };
    return out.ok ? null : out.reason ?? 'unknown reason';
  } catch {
    return `driver check failed: ${res.stderr.trim() || res.stdout.trim()}`;
  }
}

export function kernelRelease(): string {
  return spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
}

export function runOnKernel(scenario: Scenario, tag: string): Promise<Observations> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [DRIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`kernel driver for '${scenario.id}' exited with ${code}: ${stderr.trim()}`));
        return;
      }
      try {
        const raw = JSON.parse(stdout);
        resolve({
          id: raw.id,
          executor: `kernel ${raw.kernel}`,
          sides: raw.sides,
          segments: {
            client: markRetransmissions(raw.segments.client ?? []),
            server: markRetransmissions(raw.segments.server ?? []),
          },
          drops: raw.drops,
          errors: raw.errors,
          ...(raw.counters ? { counters: raw.counters } : {}),
          ...('kernelLog' in raw ? { kernelLog: raw.kernelLog } : {}),
        });
      } catch (e) {
        reject(new Error(`kernel driver for '${scenario.id}' printed no observations: ${stderr.trim() || (e as Error).message}`));
      }
    });
    child.stdin.end(JSON.stringify({ ...scenario, tag }));
  });
}

/** Runs every scenario, `parallel` at a time, keeping their order. */
export async function runAllOnKernel(list: Scenario[], parallel = 5): Promise<Map<string, Observations | Error>> {
  const results = new Map<string, Observations | Error>();
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const index = next++;
      const scenario = list[index];
      try {
        results.set(scenario.id, await runOnKernel(scenario, String(index)));
      } catch (e) {
        results.set(scenario.id, e as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, list.length) }, worker));
  return new Map(list.map((s) => [s.id, results.get(s.id)!]));
}
