import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Every sync and rename, in order, so the tests can check what reaches the disk before what.
const events: string[] = [];

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      const path = String(args[0]);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        events.push(`sync ${path}`);
        await sync();
      };
      return handle;
    },
    rename: async (from: string, to: string) => {
      events.push(`rename ${from} -> ${to}`);
      await actual.rename(from, to);
    },
  };
});

const { removeStaleTemporaries, replaceDirectoryAtomic, writeFileAtomic } = await import('./fs.js');

/** The pid of a process that has exited (so no writer with that pid is alive). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'model-runtime-durability-'));
  events.length = 0;
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('writeFileAtomic durability', () => {
  it('syncs the temp file before the rename and the folder after it', async () => {
    const target = join(root, 'summary.json');
    await writeFileAtomic(target, '{}');
    const rename = events.findIndex(
      (event) => event.startsWith('rename ') && event.endsWith(target),
    );
    expect(rename).toBeGreaterThan(0);
    const temporary = events[rename]!.slice('rename '.length).split(' -> ')[0]!;
    expect(events.slice(0, rename)).toContain(`sync ${temporary}`);
    expect(events.slice(rename + 1)).toContain(`sync ${root}`);
  });

  it('removes temp files a killed writer left, keeping a live writer’s', async () => {
    const target = join(root, 'results.json');
    const stale = `.results.json.tmp-${deadPid()}-0badc0de`;
    const live = `.results.json.tmp-${process.pid}-00c0ffee`;
    await writeFile(join(root, stale), 'half');
    await writeFile(join(root, live), 'in progress');
    await writeFileAtomic(target, 'whole');
    expect((await readdir(root)).sort()).toEqual([live, 'results.json'].sort());
  });
});

describe('replaceDirectoryAtomic durability', () => {
  it('syncs every staged file and the staging folder before the swap, the parent after', async () => {
    const target = join(root, 'checkpoint');
    await replaceDirectoryAtomic(target, async (staging) => {
      await mkdir(join(staging, 'model'));
      await writeFile(join(staging, 'model', 'weights.bin'), 'w');
      await writeFile(join(staging, 'state.json'), '{}');
    });
    const swap = events.findIndex((event) => event.endsWith(`-> ${target}`));
    expect(swap).toBeGreaterThan(0);
    const staging = events[swap]!.slice('rename '.length).split(' -> ')[0]!;
    const before = events.slice(0, swap);
    expect(before).toContain(`sync ${join(staging, 'model', 'weights.bin')}`);
    expect(before).toContain(`sync ${join(staging, 'state.json')}`);
    expect(before).toContain(`sync ${join(staging, 'model')}`);
    expect(before).toContain(`sync ${staging}`);
    expect(events.slice(swap + 1)).toContain(`sync ${root}`);
  });

  it('cleans up staging folders of a killed run on the next run', async () => {
    const target = join(root, 'step-2');
    const stale = join(root, `.step-2.tmp-${deadPid()}-deadbeef`);
    await mkdir(join(stale, 'model'), { recursive: true });
    await writeFile(join(stale, 'model', 'weights.bin'), 'half');
    await replaceDirectoryAtomic(target, async (staging) => {
      await writeFile(join(staging, 'done.txt'), 'yes');
    });
    expect(await readdir(root)).toEqual(['step-2']);
    expect(await readdir(target)).toEqual(['done.txt']);
  });

  it('finishes a swap killed between its two renames (the new folder was complete)', async () => {
    const target = join(root, 'latest');
    const stem = join(root, `.latest.tmp-${deadPid()}-feedf00d`);
    await mkdir(stem);
    await writeFile(join(stem, 'version.txt'), 'new');
    await mkdir(`${stem}-old`);
    await writeFile(join(`${stem}-old`, 'version.txt'), 'old');
    await removeStaleTemporaries(target);
    expect(await readdir(root)).toEqual(['latest']);
    expect(await readFile(join(target, 'version.txt'), 'utf8')).toBe('new');
  });

  it('restores the previous folder when only it survived the kill', async () => {
    const target = join(root, 'latest');
    const retired = join(root, `.latest.tmp-${deadPid()}-feedf00d-old`);
    await mkdir(retired);
    await writeFile(join(retired, 'version.txt'), 'old');
    await removeStaleTemporaries(target);
    expect(await readFile(join(target, 'version.txt'), 'utf8')).toBe('old');
    expect(await readdir(root)).toEqual(['latest']);
  });
});
