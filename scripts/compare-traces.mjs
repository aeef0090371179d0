// Compares the simulator of a base commit with the working tree, trace byte
// for byte: `closing-time run --json` of every program in examples/ and of
// every lesson playground, and the trace of fuzz worlds from seeds 1..N.
//
//   node scripts/compare-traces.mjs                  base 8055260, 200 fuzz seeds
//   node scripts/compare-traces.mjs --base HEAD~1 --seeds 50
//   node scripts/compare-traces.mjs --no-typecheck   faster (the type check does not touch the simulator)
//   node scripts/compare-traces.mjs --keep           keep the temporary folder (outputs of both sides)
//
// The base commit is exported with `git archive` into a temporary folder (the
// repository is only read), and both sides are bundled with this checkout's
// esbuild and node_modules. Inputs are the working tree's: the same program
// files, seeds and time limits go to both builds; each fuzz harness is its
// own tree's tests/fuzz. Prints the first differing line of each program that
// differs; exits 1 on any difference, 2 if something could not be built or run.
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node scripts/compare-traces.mjs [--base COMMIT] [--seeds N] [--jobs N] [--no-typecheck] [--keep]';

function parseArgs(argv) {
  const opts = { base: '8055260', seeds: 200, jobs: Math.max(1, Math.min(4, availableParallelism())), typecheck: true, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-typecheck') opts.typecheck = false;
    else if (a === '--keep') opts.keep = true;
    else if (a === '--base') opts.base = argv[++i];
    else if (a === '--seeds' || a === '--jobs') {
      const n = Number(argv[++i]);
      if (!Number.isSafeInteger(n) || n < (a === '--jobs' ? 1 : 0)) throw new Error(`${a} needs a whole number\n${USAGE}`);
      opts[a.slice(2)] = n;
    } else throw new Error(`unknown argument '${a}'\n${USAGE}`);
    if (opts.base === undefined) throw new Error(`--base needs a commit\n${USAGE}`);
  }
  return opts;
}

// src/cli/grade.ts is optional in scripts/build-cli.mjs; do the same here so
// an older base without it still builds.
const optionalModules = {
  name: 'optional-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\/grade\.ts$/ }, (args) => {
      const file = path.resolve(args.resolveDir, args.path);
      return existsSync(file) ? { path: file } : { path: file, namespace: 'missing-module' };
    });
    b.onLoad({ filter: /.*/, namespace: 'missing-module' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

const bundleOptions = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error', write: true };

/** Bundles the CLI of `tree` the way scripts/build-cli.mjs does, into `tree/<outRel>`; returns a launcher script. */
async function buildCli(tree, outRel, launcher) {
  const outdir = path.join(tree, outRel);
  await build({
    ...bundleOptions,
    absWorkingDir: tree,
    entryPoints: { main: path.join(tree, 'src/cli/main.ts'), 'node-worker': path.join(tree, 'src/runner/node-worker.ts') },
    outdir,
    plugins: [optionalModules],
  });
  writeFileSync(
    launcher,
    `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(outdir, 'main.js')).href)});\nprocess.exitCode = await main(process.argv.slice(2));\n`,
  );
  return launcher;
}

// Runs fuzz worlds with the tree's own harness (tests/fuzz) and simulator and
// writes each seed's summary, trace and failed calls as JSON lines.
const FUZZ_ENTRY = `
import { writeFileSync } from 'node:fs';
import { makePlan } from './tests/fuzz/plan.ts';
import { runPlan } from './tests/fuzz/run-plan.ts';
const [outDir, first, count] = process.argv.slice(2);
for (let seed = Number(first); seed < Number(first) + Number(count); seed++) {
  const run = await runPlan(makePlan(seed));
  const lines = run.trace.map((e) => JSON.stringify(e));
  lines.push(JSON.stringify({ kind: 'summary', summary: run.summary }));
  lines.push(JSON.stringify({ kind: 'failures', failures: run.failures, deliberate: run.deliberate }));
  // Stack traces name bundle files and lines, which differ between the two builds: keep the first line.
  lines.push(JSON.stringify({ kind: 'unexpected', unexpected: run.unexpected.map((u) => u.split('\\n')[0]) }));
  // A process's error stack names the bundle's file and lines, which differ between the two builds.
  const text = (lines.join('\\n') + '\\n').replace(/file:[^\\s"()]*fuzz-(?:base|work)\\.mjs:\\d+:\\d+/g, 'fuzz-harness');
  writeFileSync(outDir + '/fuzz-' + seed + '.jsonl', text);
}
`;

async function buildFuzz(tree, outfile) {
  await build({
    ...bundleOptions,
    absWorkingDir: tree,
    stdin: { contents: FUZZ_ENTRY, resolveDir: tree, loader: 'ts', sourcefile: 'compare-fuzz-entry.ts' },
    outfile,
  });
  return outfile;
}

function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('close', (code, signal) => resolve({ code: code ?? signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

async function pool(tasks, jobs) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
}

/** The programs both sides run: examples/ and each lesson's playgrounds, written under `dir`. */
async function collectPrograms(dir, scratch) {
  const programs = [];
  mkdirSync(path.join(dir, 'examples'), { recursive: true });
  for (const f of readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.ts')).sort()) {
    writeFileSync(path.join(dir, 'examples', f), readFileSync(path.join(root, 'examples', f)));
    programs.push({ name: `examples/${f}`, file: `examples/${f}`, args: [] });
  }
  // The lessons are found as tests/unit/lesson-programs.test.ts finds them.
  const reader = path.join(scratch, 'lesson-playgrounds.mjs');
  await build({ ...bundleOptions, absWorkingDir: root, entryPoints: [path.join(root, 'src/components/playground/lesson-playgrounds.ts')], outfile: reader });
  const { lessonIds, playgroundsOfLesson } = await import(pathToFileURL(reader).href);
  const contentDir = path.join(root, 'content');
  for (const lesson of lessonIds(contentDir)) {
    for (const pg of playgroundsOfLesson(contentDir, lesson)) {
      const file = `lessons/${lesson}/${pg.id}.ts`;
      mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
      writeFileSync(path.join(dir, file), pg.source);
      const args = [];
      if (pg.seed !== undefined) args.push('--seed', String(pg.seed));
      if (pg.untilMs !== undefined) args.push('--until', String(pg.untilMs));
      programs.push({ name: `${lesson}/${pg.id}`, file, args });
    }
  }
  return programs;
}

/** Index and text of the first line where a and b differ, or null if they are equal. */
function firstDifference(a, b) {
  if (a === b) return null;
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return { line: i + 1, base: la[i], work: lb[i] };
  }
  return { line: 0, base: '(byte difference)', work: '' };
}

function clip(s) {
  if (s === undefined) return '(no line: output ended)';
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = mkdtempSync(path.join(tmpdir(), 'compare-traces-'));
  const baseDir = path.join(tmp, 'base');
  const programsDir = path.join(tmp, 'programs');
  const outDir = { base: path.join(tmp, 'out-base'), work: path.join(tmp, 'out-work') };
  for (const d of [baseDir, programsDir, outDir.base, outDir.work]) mkdirSync(d, { recursive: true });
  let status = 2;
  try {
    const baseCommit = execFileSync('git', ['rev-parse', '--verify', `${opts.base}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
    execFileSync('sh', ['-c', `git archive --format=tar ${baseCommit} | tar -x -C '${baseDir}'`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    symlinkSync(realpathSync(path.join(root, 'node_modules')), path.join(baseDir, 'node_modules'));
    console.log(`base ${baseCommit.slice(0, 12)} (exported to ${baseDir}) against the working tree ${root}`);

    // The working tree's CLI goes to dist/compare-cli: beside dist/cli, so the
    // type check finds types/ at ../../types as the real build does.
    const launch = {
      base: await buildCli(baseDir, 'dist/cli', path.join(tmp, 'launch-base.mjs')),
      work: await buildCli(root, 'dist/compare-cli', path.join(tmp, 'launch-work.mjs')),
    };
    const fuzz = { base: await buildFuzz(baseDir, path.join(tmp, 'fuzz-base.mjs')), work: await buildFuzz(root, path.join(tmp, 'fuzz-work.mjs')) };
    const programs = await collectPrograms(programsDir, tmp);

    const results = new Map();
    const tasks = [];
    for (const p of programs) {
      for (const side of ['base', 'work']) {
        tasks.push(async () => {
          const args = [launch[side], 'run', p.file, '--json', ...p.args, ...(opts.typecheck ? [] : ['--no-typecheck'])];
          const r = await run(process.execPath, args, programsDir);
          writeFileSync(path.join(outDir[side], p.name.replace(/\//g, '__') + '.jsonl'), r.stdout);
          results.set(`${p.name}\0${side}`, r);
        });
      }
    }
    // Fuzz seeds in chunks, one process per chunk and side.
    const chunk = 25;
    const fuzzFailures = [];
    for (let first = 1; first <= opts.seeds; first += chunk) {
      const n = Math.min(chunk, opts.seeds - first + 1);
      for (const side of ['base', 'work']) {
        tasks.push(async () => {
          const r = await run(process.execPath, [fuzz[side], outDir[side], String(first), String(n)], tmp);
          if (r.code !== 0) fuzzFailures.push(`${side} fuzz seeds ${first}..${first + n - 1} exited ${r.code}: ${r.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
        });
      }
    }
    const began = Date.now();
    await pool(tasks, opts.jobs);
    if (fuzzFailures.length) {
      for (const f of fuzzFailures) console.log(f);
      return;
    }

    let differing = 0;
    let same = 0;
    const report = (name, a, b, extra) => {
      const d = firstDifference(a, b);
      if (!d && !extra) {
        same++;
        return;
      }
      differing++;
      console.log(`DIFF ${name}${extra ? ` (${extra})` : ''}`);
      if (d) console.log(`  first difference at line ${d.line}\n  base: ${clip(d.base)}\n  work: ${clip(d.work)}`);
    };
    for (const p of programs) {
      const a = results.get(`${p.name}\0base`);
      const b = results.get(`${p.name}\0work`);
      if (!a.stdout.trim()) console.log(`note: ${p.name} printed nothing on the base (exit ${a.code}): ${a.stderr.trim().split('\n')[0]}`);
      report(p.name, a.stdout, b.stdout, a.code !== b.code ? `exit code ${a.code} on the base, ${b.code} on the working tree` : '');
    }
    for (let seed = 1; seed <= opts.seeds; seed++) {
      const file = `fuzz-${seed}.jsonl`;
      report(`fuzz seed ${seed}`, readFileSync(path.join(outDir.base, file), 'utf8'), readFileSync(path.join(outDir.work, file), 'utf8'), '');
    }
    const total = programs.length + opts.seeds;
    console.log(
      `${total} compared (${programs.filter((p) => p.name.startsWith('examples/')).length} examples, ${programs.filter((p) => !p.name.startsWith('examples/')).length} lesson programs, ${opts.seeds} fuzz seeds) in ${((Date.now() - began) / 1000).toFixed(1)} s: ${same} identical, ${differing} differ`,
    );
    status = differing ? 1 : 0;
  } finally {
    if (opts.keep) console.log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
    rmSync(path.join(root, 'dist/compare-cli'), { recursive: true, force: true });
    process.exitCode = status;
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 2;
});
