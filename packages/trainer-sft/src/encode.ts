import type { EncodedChat, PreparedImage, TinyVLM } from '@pixel-reasoner/model-runtime/local';
import type { TrainingChat } from './data.js';
import type { ImageLabels } from './perception.js';

/** An encoded chat plus the per-token labels of the model's auxiliary heads, when it has any. */
export type EncodedTrainingChat = EncodedChat & { imageTargets?: Record<string, number[]> };

/**
 * A trajectory (or any training chat) as a training sequence: every turn is in the context, but
 * only turns flagged `trainable` (corrected operations and the answer; not observations, prompts
 * or erroneous operations) carry loss. Image labels become token targets of the heads the model has.
 */
export async function encodeTrajectory(
  model: TinyVLM,
  trajectory: TrainingChat,
): Promise<EncodedTrainingChat> {
  const encoded = await model.encodeChat(
    trajectory.turns.map((turn) => turn.message),
    { trainableMessages: trajectory.turns.map((turn) => turn.trainable) },
  );
  const heads = Object.keys(model.config.auxiliaryHeads);
  const labels = (trajectory.imageLabels ?? []).filter((entry) => heads.includes(entry.head));
  if (labels.length === 0) return encoded;
  const imageTargets: Record<string, number[]> = {};
  for (const head of new Set(labels.map((entry) => entry.head))) {
    imageTargets[head] = imageTokenTargets(
      encoded.images,
      labels.filter((entry) => entry.head === head),
    );
  }
  return { ...encoded, imageTargets };
}

/**
 * One class per image token (−1: not labelled). On a labelled image, the token holding a region's
 * centre gets the region's class, other tokens the region touches are left unlabelled (they see
 * part of it), and every other token gets the background class.
 */
export function imageTokenTargets(
  images: readonly PreparedImage[],
  labels: readonly ImageLabels[],
): number[] {
  const targets: number[] = [];
  images.forEach((image, index) => {
    const grid = new Array<number>(image.gridWidth * image.gridHeight).fill(-1);
    const entry = labels.find((candidate) => candidate.image === index);
    if (entry !== undefined) {
      grid.fill(entry.background ?? 0);
      const cell = (value: number, cells: number) =>
        Math.min(cells - 1, Math.max(0, Math.floor(value * cells)));
      const centres: [number, number][] = [];
      for (const region of entry.regions) {
        const [x1, y1, x2, y2] = region.box;
        for (let row = cell(y1, image.gridHeight); row <= cell(y2, image.gridHeight); row++) {
          for (
            let column = cell(x1, image.gridWidth);
            column <= cell(x2, image.gridWidth);
            column++
          ) {
            grid[row * image.gridWidth + column] = -1;
          }
        }
        const at =
          cell((y1 + y2) / 2, image.gridHeight) * image.gridWidth +
          cell((x1 + x2) / 2, image.gridWidth);
        centres.push([at, region.label]);
      }
      for (const [at, label] of centres) grid[at] = label;
    }
    targets.push(...grid);
  });
  return targets;
}
