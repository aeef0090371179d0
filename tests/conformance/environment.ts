// Whether the kernel side can run, decided once per test file. Not root, or
// no `ip netns`: skip with one line. With CI=true a skip is a failure, so a CI
// machine that lost its privileges cannot pass by testing nothing.
import { kernelUnavailable } from './kernel-executor.ts';

export const unavailable = kernelUnavailable();
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

if (unavailable && !inCI) {
  console.warn(`conformance: kernel side skipped (${unavailable}); run as root on Linux with iproute2 and nftables to include it`);
}
