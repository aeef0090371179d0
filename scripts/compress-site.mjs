// Writes brotli (.br) and gzip (.gz) copies beside every compressible file of
// the built site, so the server sends precompressed bytes (@fastify/static's
// preCompressed) without compressing on each request. Run by `npm run build:site`.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const site = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'site'));
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.xml', '.txt', '.map', '.wasm', '.webmanifest', '.ttf', '.otf']);
const MIN_BYTES = 1024;
const br = promisify(brotliCompress);
const gz = promisify(gzip);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    // Pagefind's index is compressed already.
    if (e.isDirectory()) return e.name === 'pagefind' ? [] : walk(p);
    return COMPRESSIBLE.has(path.extname(e.name).toLowerCase()) ? [p] : [];
  });
}

const files = walk(site).filter((f) => statSync(f).size >= MIN_BYTES);
let before = 0;
let afterBr = 0;
const started = Date.now();
// zlib's async calls run on libuv's thread pool: a few at a time uses every core.
const queue = [...files];
async function worker() {
  for (let f = queue.shift(); f; f = queue.shift()) {
    const data = readFileSync(f);
    const [b, g] = await Promise.all([
      br(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: data.length > 1_000_000 ? 9 : 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        },
      }),
      gz(data, { level: 9 }),
    ]);
    before += data.length;
    afterBr += Math.min(b.length, data.length);
    if (b.length < data.length) writeFileSync(`${f}.br`, b);
    if (g.length < data.length) writeFileSync(`${f}.gz`, g);
  }
}
await Promise.all(Array.from({ length: 4 }, worker));
console.log(`compress-site: ${files.length} files, ${(before / 1e6).toFixed(1)} MB -> ${(afterBr / 1e6).toFixed(1)} MB brotli, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
