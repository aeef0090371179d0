// The PostgreSQL side of the workshop tests: which backends to run, and the
// throwaway cluster they run on (scripts/throwaway-postgres.ts). Without
// PostgreSQL installed these tests skip with one line; under CI=true (where
// .ci/run installs it) that is a failure instead.
import { postgresUnavailable } from '../../scripts/throwaway-postgres.ts';

export { startPostgres, type TestPostgres } from '../../scripts/throwaway-postgres.ts';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** The backends the workshop tests run against: SQLite always, PostgreSQL where it can run (and must, in CI). */
export function testBackends(): ('sqlite' | 'postgres')[] {
  const why = postgresUnavailable();
  if (!why) return ['sqlite', 'postgres'];
  if (inCI) throw new Error(`CI=true but the PostgreSQL tests cannot run: ${why}`);
  console.log(`skipping the PostgreSQL runs: ${why}`);
  return ['sqlite'];
}

