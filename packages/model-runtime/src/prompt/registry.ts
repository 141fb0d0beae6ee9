import { InvalidEpisodeInputError, UnknownProfileError } from '../errors.js';
import { openAIToolsProfile } from './openai-tools.js';
import { deepEyesProfile, miniO3Profile } from './peer-profiles.js';
import { notoolProfile, type PromptProfile, pixelReasonerV1Profile } from './profiles.js';

const profiles = new Map<string, PromptProfile>(
  [pixelReasonerV1Profile, notoolProfile, openAIToolsProfile, deepEyesProfile, miniO3Profile].map(
    (profile) => [profile.id, profile],
  ),
);

/** Adds a profile that `getPromptProfile` (and `--profile`) can find by id. */
export function registerPromptProfile(profile: PromptProfile): void {
  if (profiles.has(profile.id)) {
    throw new InvalidEpisodeInputError(`prompt profile "${profile.id}" is already registered`);
  }
  profiles.set(profile.id, profile);
}

/** Ids of every registered profile, built-ins first. */
export function listPromptProfiles(): string[] {
  return [...profiles.keys()];
}

/**
 * A registered profile by id: `pixel-reasoner-v1`, `notool`, `openai-tools`, `deepeyes`,
 * `mini-o3`, or one added with `registerPromptProfile`.
 */
export function getPromptProfile(id: string): PromptProfile {
  const profile = profiles.get(id);
  if (profile === undefined) throw new UnknownProfileError(id, listPromptProfiles());
  return profile;
}
