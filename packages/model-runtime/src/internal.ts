// Helpers shared by the @pixel-reasoner packages. Not a public API: no semver promise is made for it.
export {
  appendJsonLine,
  readJsonIfExists,
  readJsonLines,
  readTextIfExists,
  removeStaleTemporaries,
  replaceDirectoryAtomic,
  syncDirectory,
  temporaryPathFor,
  writeFileAtomic,
} from './internal/fs.js';
export { fnv1a32, Mulberry32, seededRandom } from './internal/random.js';
