import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlib } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.svg',
  '.txt',
  '.webmanifest',
]);
/** Smaller files gain nothing from compression. */
const MIN_COMPRESS_BYTES = 1024;

export interface StaticFile {
  contentType: string;
  etag: string;
  body: Buffer;
  gzip?: Buffer;
  brotli?: Buffer;
}

/**
 * The files of a build, read and compressed once per version (modification time and size) and
 * then served from memory.
 * Reading and compressing are asynchronous (zlib runs on libuv's thread pool), so the event
 * loop never waits on them. Only paths inside `dir` resolve; dot files and climbing paths do not.
 */
export function createStaticFiles(dir: string): {
  get(path: string): Promise<StaticFile | undefined>;
} {
  const root = resolve(dir);
  const loaded = new Map<string, { version: string; entry: Promise<StaticFile | undefined> }>();

  async function load(file: string): Promise<StaticFile | undefined> {
    const body = await readFile(file).catch(() => undefined);
    if (!body) return undefined;
    const extension = extname(file).toLowerCase();
    const entry: StaticFile = {
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      body,
    };
    if (COMPRESSIBLE.has(extension) && body.length >= MIN_COMPRESS_BYTES) {
      [entry.brotli, entry.gzip] = await Promise.all([
        brotli(body, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
        }),
        gzipAsync(body, { level: 9 }),
      ]);
    }
    return entry;
  }

  return {
    async get(path) {
      const file = fileFor(root, path);
      if (!file) return undefined;
      // One stat per request keeps the cache true to the folder: a rebuild replaces changed files,
      // and files a rebuild removed leave the cache.
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        loaded.delete(file);
        return undefined;
      }
      const version = `${info.mtimeMs}:${info.size}`;
      let cached = loaded.get(file);
      if (cached?.version !== version) {
        cached = { version, entry: load(file) };
        loaded.set(file, cached);
      }
      return cached.entry;
    },
  };
}

/** The file a URL path names inside `root`, or undefined for anything that could leave it. */
function fileFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (
    decoded.includes('\0') ||
    decoded.includes('\\') ||
    decoded.split('/').some((segment) => segment.startsWith('.'))
  )
    return undefined;
  const file = resolve(join(root, decoded));
  return file.startsWith(root + sep) ? file : undefined;
}

/** The body for the client's Accept-Encoding: brotli, then gzip, then as stored. */
export function negotiate(
  file: StaticFile,
  acceptEncoding: string | undefined,
): { body: Buffer; encoding?: 'br' | 'gzip' } {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) =>
        part
          .trim()
          .toLowerCase()
          .split(/\s*;\s*/),
      )
      .filter(([, weight]) => !weight || !/^q=0(\.0*)?$/.test(weight))
      .map(([coding]) => coding),
  );
  if (file.brotli && accepted.has('br')) return { body: file.brotli, encoding: 'br' };
  if (file.gzip && accepted.has('gzip')) return { body: file.gzip, encoding: 'gzip' };
  return { body: file.body };
}
