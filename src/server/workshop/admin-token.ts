// The admin token lives in DATA_DIR/admin-token (mode 0600), made at the first
// start and printed once then, so the person who started the server can create
// workshops; later starts say where it is without printing it again.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newToken } from './secrets.ts';

export function adminTokenPath(dataDir: string): string {
  return path.join(dataDir, 'admin-token');
}

/** Reads the admin token, making one if there is none; `created` says whether it is new. */
export function loadAdminToken(dataDir: string): { token: string; created: boolean; file: string } {
  const file = adminTokenPath(dataDir);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 32) return { token, created: false, file };
  }
  const token = newToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true, file };
}
