// Every test file runs with strict transitions: a state change the edge table
// (src/sim/tcp/transitions.ts) does not list throws instead of passing silently.
import { setStrictTransitions } from '../src/sim/tcp/transitions.ts';

setStrictTransitions(true);
