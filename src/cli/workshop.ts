// `closing-time workshop ...`: the admin side of workshop mode from a terminal,
// on the same DATA_DIR the server uses (SQLite allows the server to keep
// running meanwhile), or on its PostgreSQL database (--database, DATABASE_URL).
// Mirrors POST /api/workshops and the instructor's export and close routes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EventHub } from '../server/workshop/events.ts';
import { exportCsv, exportJson } from '../server/workshop/exports.ts';
import { WorkshopError, WorkshopService } from '../server/workshop/service.ts';
import { openSqliteStorage } from '../server/workshop/sqlite-storage.ts';
import type { Storage } from '../server/workshop/storage.ts';
import type { CliOutput } from './output.ts';
import { UsageError } from './usage-error.ts';
import { GRADE_LANGS, parseGradeLang } from '../grading/messages.ts';

export const WORKSHOP_USAGE = `Usage: closing-time workshop <command> [options]

  create "Title"           make a workshop; prints its join code and the secret instructor link
  list                     the workshops in DATA_DIR, with learners and submissions
  export CODE [--csv]      grades as JSON (the grader's format), or CSV (one row per learner x lab)
  close CODE | reopen CODE stop or restart joins and submissions
  move-to-postgres         copy DATA_DIR's workshops, learners, sessions and grades into an empty
                           PostgreSQL database (--database); stop the server first

Options:
  --data DIR    the server's data folder (default: $DATA_DIR, else ./data)
  --database URL  the servers' PostgreSQL database instead (default: $DATABASE_URL)
  --url URL     where learners reach the server, for the links (default: $PUBLIC_URL, else http://localhost:$PORT/)
  --lang zh-CN  create: the links open the Simplified Chinese edition (default: English)
  --out FILE    write the export to FILE instead of standard output
  --json        machine-readable output (create, list)`;

interface Options {
  data: string;
  database?: string;
  url: string;
  /** The site's path prefix of the edition the links open: '' (English) or 'zh-cn/'. */
  edition: string;
  out?: string;
  json: boolean;
  csv: boolean;
  positional: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    data: process.env.DATA_DIR || path.resolve('data'),
    url: process.env.PUBLIC_URL || `http://localhost:${process.env.PORT || 4321}/`,
    edition: '',
    json: false,
    csv: false,
    positional: [],
    ...(process.env.DATABASE_URL ? { database: process.env.DATABASE_URL } : {}),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--data') o.data = path.resolve(value());
    else if (a === '--database') o.database = value();
    else if (a === '--url') o.url = value();
    else if (a === '--out') o.out = value();
    else if (a === '--lang') {
      const lang = parseGradeLang(value());
      if (!lang) throw new UsageError(`--lang is one of ${GRADE_LANGS.join(', ')}`);
      o.edition = lang === 'zh-CN' ? 'zh-cn/' : '';
    }
    else if (a === '--json') o.json = true;
    else if (a === '--csv') o.csv = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else o.positional.push(a);
  }
  if (o.database !== undefined && !/^postgres(ql)?:\/\//i.test(o.database)) throw new UsageError('--database must be a PostgreSQL URL (postgres://...)');
  if (!/^https?:\/\//.test(o.url)) throw new UsageError(`--url must start with http:// or https://, got '${o.url}'`);
  if (!o.url.endsWith('/')) o.url += '/';
  return o;
}

export async function workshopCommand(argv: readonly string[], io: CliOutput): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub ? io.out : io.err)(`${WORKSHOP_USAGE}\n`);
    return sub ? 0 : 2;
  }
  const o = parseArgs(rest);
  const needs = (n: number, what: string) => {
    if (o.positional.length !== n) throw new UsageError(`workshop ${sub} takes ${what}`);
  };
  if (sub === 'move-to-postgres') {
    needs(0, 'no arguments (the source is --data DIR, the target --database URL)');
    if (!o.database) throw new UsageError('workshop move-to-postgres needs the target: --database postgres://... (or DATABASE_URL)');
    const { moveSqliteToPostgres } = await import('../server/workshop/move-to-postgres.ts');
    const file = path.join(o.data, 'workshop.sqlite');
    try {
      const n = await moveSqliteToPostgres(file, o.database);
      io.out(`Moved ${n.workshops} workshop(s), ${n.learners} learner(s), ${n.sessions} session(s) and ${n.submissions} submission(s) from ${file}.\n`);
      io.out('Start the server with DATABASE_URL set to the same URL; the SQLite file is left as it was.\n');
      return 0;
    } catch (error) {
      io.err(`closing-time workshop: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const hub = new EventHub();
  let storage: Storage;
  if (o.database) {
    const { openPgStorage } = await import('../server/workshop/pg-storage.ts');
    const pg = await openPgStorage(o.database, { poolSize: 2 });
    // A close or reopen shows on the instructors' dashboards, whichever server they are on.
    await pg.shareEvents(hub, { listen: false });
    storage = pg;
  } else storage = openSqliteStorage(o.data);
  const service = new WorkshopService(storage, hub);
  try {
    switch (sub) {
      case 'create': {
        needs(1, 'one title (in quotes)');
        const { workshop, instructorToken } = await service.create(o.positional[0]!);
        const result = {
          code: workshop.code,
          title: workshop.title,
          instructorToken,
          joinUrl: `${o.url}${o.edition}workshop/?code=${workshop.code}`,
          instructorUrl: `${o.url}${o.edition}workshop/instructor/#code=${workshop.code}&token=${instructorToken}`,
        };
        if (o.json) io.out(`${JSON.stringify(result)}\n`);
        else {
          io.out(`Workshop "${workshop.title}"\n\n  Join code:  ${workshop.code}   (learners open ${o.url}${o.edition}workshop/)\n\n`);
          io.out(`  Instructor link (secret: it opens the dashboard; do not show it on the projector):\n  ${result.instructorUrl}\n`);
        }
        return 0;
      }
      case 'list': {
        needs(0, 'no arguments');
        const list = await storage.listWorkshops();
        if (o.json) io.out(`${JSON.stringify({ workshops: list })}\n`);
        else if (list.length === 0) io.out(`No workshops in ${o.database ? 'the database' : o.data} yet: closing-time workshop create "Title"\n`);
        else for (const w of list) io.out(`${w.code}  ${w.closed ? 'closed' : 'open  '}  ${String(w.learners).padStart(4)} learners  ${String(w.submissions).padStart(6)} submissions  ${w.title}\n`);
        return 0;
      }
      case 'export': {
        needs(1, 'a join code');
        const workshop = await service.find(o.positional[0]!);
        const text = o.csv ? await exportCsv(service, workshop) : `${JSON.stringify(await exportJson(service, workshop), null, 2)}\n`;
        if (o.out) {
          writeFileSync(o.out, text);
          io.err(`Wrote ${o.out}\n`);
        } else io.out(text);
        return 0;
      }
      case 'close':
      case 'reopen': {
        needs(1, 'a join code');
        const workshop = await service.find(o.positional[0]!);
        await service.setClosed(workshop, sub === 'close');
        io.out(`"${workshop.title}" (${workshop.code}) is ${sub === 'close' ? 'closed: no more joins or submissions' : 'open again'}.\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown workshop command '${sub}'`);
    }
  } catch (error) {
    if (error instanceof WorkshopError) {
      io.err(`closing-time workshop: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await storage.close();
  }
}
