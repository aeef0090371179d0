// Every conformance scenario, in the order the report lists them.
import type { Scenario } from '../scenario.ts';
import { acks } from './acks.ts';
import { closing } from './closing.ts';
import { deadPeers } from './dead-peers.ts';
import { kernelTruth } from './kernel-truth.ts';
import { lingering } from './linger.ts';
import { ports } from './ports.ts';
import { windows } from './windows.ts';

export const scenarios: Scenario[] = [...closing, ...lingering, ...windows, ...ports, ...kernelTruth, ...deadPeers, ...acks];

const seen = new Set<string>();
for (const s of scenarios) {
  if (seen.has(s.id)) throw new Error(`two conformance scenarios share the id '${s.id}'`);
  seen.add(s.id);
}
