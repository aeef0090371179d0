// Static checks of a scenario before any executor runs it: a typo in a step
// list should fail with a sentence, not hang a kernel thread for 20 s.
import type { Scenario, Step } from './scenario.ts';
import { SIDES } from './scenario.ts';

export function validateScenario(s: Scenario): string[] {
  const out: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(s.id)) out.push(`id '${s.id}' is not kebab-case`);
  const signals = new Set(SIDES.flatMap((side) => s[side].filter((st) => st.op === 'signal').map((st) => (st as { name: string }).name)));
  const drops = new Map<string, number>();
  for (const side of SIDES) {
    const socks = new Set<string>();
    const ever = new Set<string>();
    const marks = new Set<string>();
    s[side].forEach((step: Step, i) => {
      const where = `${s.id}: ${side} step ${i} (${step.op})`;
      // inject may use the 4-tuple of a socket already closed.
      if (step.op === 'inject' && !ever.has(step.sock)) out.push(`${where}: socket '${step.sock}' never existed`);
      if ('sock' in step && step.op !== 'socket' && step.op !== 'inject' && !socks.has(step.sock)) out.push(`${where}: socket '${step.sock}' does not exist yet`);
      if (step.op === 'sleep' && step.since !== undefined && !marks.has(step.since)) out.push(`${where}: no earlier step is marked '${step.since}'`);
      if (step.mark) marks.add(step.mark);
      if (step.op === 'socket') socks.add(step.sock);
      if (step.op === 'accept') socks.add(step.as);
      for (const name of socks) ever.add(name);
      if (step.op === 'close') socks.delete(step.sock);
      if (step.op === 'wait' && !signals.has(step.name)) out.push(`${where}: nobody signals '${step.name}'`);
      if (step.op === 'drop') drops.set(step.id, (drops.get(step.id) ?? 0) + 1);
      if (step.op === 'sleep' && !(step.ms >= 0 && step.ms <= 10_000)) out.push(`${where}: sleeps must be 0-10000 ms of real time`);
      for (const list of [step.expect?.states, step.expect?.timers]) {
        if (list && [...list].sort().join() !== list.join()) out.push(`${where}: expected states must be sorted`);
      }
      if (step.expect?.tookMs && step.expect.tookMs[0] > step.expect.tookMs[1]) out.push(`${where}: tookMs range is reversed`);
    });
  }
  for (const [id, n] of drops) if (n > 1) out.push(`${s.id}: drop id '${id}' is used ${n} times`);
  for (const side of SIDES) {
    for (const st of s[side]) if (st.op === 'undrop' && !drops.has(st.id)) out.push(`${s.id}: undrop of '${st.id}', which no step drops`);
  }
  return out;
}
