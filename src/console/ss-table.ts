// The `ss -tan` table lives with the simulator, because `os.ss()` prints
// through it too (SsTable.toString); the console re-exports it.
export { formatSsTable, type SsTableOptions } from '../sim/ss-format.ts';
