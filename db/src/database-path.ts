import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Kernel and device file systems: nothing in them is a database, and some block on open. */
const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev'];

function insideFolder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

/** `path` and where it leads once symbolic links in it (or in its folder) are followed. */
function spellings(absolute: string): string[] {
  const found = [absolute];
  for (const follow of [
    () => realpathSync(absolute),
    () => join(realpathSync(dirname(absolute)), basename(absolute)),
  ]) {
    try {
      found.push(follow());
    } catch {
      // Not there yet: the folder or the file is created on open.
    }
  }
  return found;
}

/**
 * Why `path` cannot hold the SQLite database, or `undefined` if it can: checked before anything
 * opens it, because a FIFO or a file under /proc can block start-up forever with nothing said.
 */
export function databasePathProblem(path: string): string | undefined {
  const absolute = resolve(path);
  for (const spelling of spellings(absolute)) {
    const folder = SYSTEM_FOLDERS.find((f) => insideFolder(spelling, f));
    if (folder)
      return `${absolute} is inside ${folder}, which holds kernel or device files, not a database`;
  }
  let stats;
  try {
    stats = statSync(absolute);
  } catch {
    return undefined;
  }
  if (stats.isFile()) return undefined;
  const kind = stats.isDirectory()
    ? 'a folder'
    : stats.isFIFO()
      ? 'a named pipe'
      : stats.isSocket()
        ? 'a socket'
        : 'a device';
  return `${absolute} is ${kind}, not a regular file`;
}
