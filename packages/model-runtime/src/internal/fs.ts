import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A unique hidden name next to `path` (same folder, so the final rename never crosses
 * filesystems; pid plus random bytes, so concurrent writers never share one).
 */
export function temporaryPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

const TEMPORARY_SUFFIX = /^\.tmp-(\d+)-[0-9a-f]{8}(-old)?$/;

/** Whether `pid` names a running process (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Flushes a folder's entries (a rename inside it) to disk. Platforms that cannot open a folder
 * for syncing (Windows) skip it: their rename is already durable or cannot be made so.
 */
export async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(directory, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'EPERM' || code === 'EACCES') return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    await handle.close();
  }
}

/** Flushes every file and folder under `directory` (itself included) to disk. */
async function syncTree(directory: string): Promise<void> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else if (entry.isFile()) {
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await syncDirectory(directory);
}

/**
 * Removes the temp files and staging folders that writers of `path` left behind when they were
 * killed (their process is gone); a live writer's are kept. A swap of `replaceDirectoryAtomic`
 * killed between its two renames is finished: its staging folder was complete, so it becomes
 * `path`, and a previous folder moved aside is restored only when nothing else can.
 */
export async function removeStaleTemporaries(path: string): Promise<void> {
  const folder = dirname(path);
  const prefix = `.${basename(path)}`;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const stale = names.filter((name) => {
    if (!name.startsWith(prefix)) return false;
    const match = TEMPORARY_SUFFIX.exec(name.slice(prefix.length));
    return match !== null && !processAlive(Number(match[1]));
  });
  if (stale.length === 0) return;
  const targetExists = names.includes(basename(path));
  if (!targetExists) {
    const retired = stale.find((name) => name.endsWith('-old'));
    const completed = retired && stale.find((name) => name === retired.slice(0, -'-old'.length));
    const replacement = completed ?? retired;
    if (replacement) {
      await rename(join(folder, replacement), path);
      stale.splice(stale.indexOf(replacement), 1);
    }
  }
  await Promise.all(stale.map((name) => rm(join(folder, name), { recursive: true, force: true })));
  await syncDirectory(folder);
}

/**
 * Temp file in the same folder, synced, then renamed, then the folder synced: a reader (or a
 * killed run, or a power cut) never sees half a file. Temp files of killed writers are removed.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await removeStaleTemporaries(path);
  const temporary = temporaryPathFor(path);
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Builds a folder in a sibling temp folder through `fill`, then swaps it in for `directory`. The
 * previous folder is moved aside rather than deleted first, so until the swap it stays whole; when
 * `fill` fails the temp folder is removed and `directory` is untouched. The staged files are
 * synced before the swap and the parent folder after it; staging folders of killed runs are
 * cleaned up (or their swap finished) first.
 */
export async function replaceDirectoryAtomic(
  directory: string,
  fill: (staging: string) => Promise<void>,
): Promise<void> {
  await mkdir(dirname(directory), { recursive: true });
  await removeStaleTemporaries(directory);
  const staging = temporaryPathFor(directory);
  const retired = `${staging}-old`;
  await mkdir(staging, { recursive: true });
  try {
    await fill(staging);
    await syncTree(staging);
    let hadPrevious = true;
    try {
      await rename(directory, retired);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      hadPrevious = false;
    }
    await rename(staging, directory);
    await syncDirectory(dirname(directory));
    if (hadPrevious) await rm(retired, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The file's text, or undefined when it does not exist (other read errors propagate). */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Parsed JSON, or undefined when the file does not exist. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  const text = await readTextIfExists(path);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/**
 * Rows of a JSONL file written by appends (none when it does not exist). Appends are sequential,
 * so only the last line can be torn by a killed writer; reading stops at the first line that does
 * not parse.
 */
export async function readJsonLines<T>(path: string): Promise<T[]> {
  const text = await readTextIfExists(path);
  const rows: T[] = [];
  for (const line of (text ?? '').split('\n')) {
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      break;
    }
  }
  return rows;
}

/**
 * Appends `value` as one JSON line. With `sync` the line is flushed to disk before the promise
 * resolves, for logs whose lines mark work as finished.
 */
export async function appendJsonLine(
  path: string,
  value: unknown,
  options: { sync?: boolean } = {},
): Promise<void> {
  const line = `${JSON.stringify(value)}\n`;
  if (options.sync !== true) {
    await appendFile(path, line);
    return;
  }
  const handle = await open(path, 'a');
  try {
    await handle.write(line);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
