// Web Worker entry for the lesson playgrounds: runs programs (a default export
// that builds a world) and streams their trace to the page. The protocol and
// the work are in browser/serve-runs.ts.
import { serveRuns } from './browser/serve-runs.ts';

serveRuns();
