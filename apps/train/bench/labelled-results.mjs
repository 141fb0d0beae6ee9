// Merges one labelled measurement into a bench's JSON file (atomically), keeping the others.
import { readFile, rename, writeFile } from 'node:fs/promises';

export async function recordLabelled(file, label, entry) {
  let previous = {};
  try {
    previous = JSON.parse(await readFile(file, 'utf8'));
  } catch {}
  previous[label] = { measuredAt: new Date().toISOString(), ...entry };
  await writeFile(`${file}.tmp`, `${JSON.stringify(previous, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
