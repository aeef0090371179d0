// Whether the kernel run can work here, decided once per test file: not root,
// not Linux, or no iproute2/python3 skips with one line; under CI=true a skip
// is a failure (a CI machine that lost its privileges must not pass by testing nothing).
import { kernelUnavailableReason } from '../../src/kernel/network.ts';

export const unavailable = kernelUnavailableReason();
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

if (unavailable && !inCI) console.warn(`kernel run: skipped (${unavailable})`);
