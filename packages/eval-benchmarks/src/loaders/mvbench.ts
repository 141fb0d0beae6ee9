import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchmarkDataNotFoundError, MalformedRecordError } from '../errors.js';
import type { BenchmarkItem, LoadedBenchmark, MediaSource, MissingMedia } from '../types.js';
import {
  asObject,
  containedMediaPath,
  formatOptions,
  numberField,
  optionLetters,
  pathExists,
  readJsonFile,
  stringArrayField,
  stringField,
} from './records.js';

export interface MvbenchTask {
  /** Folder under `video/` holding this task's clips or frame folders. */
  folder: string;
  /** `frames` = a folder of `00001.jpg`… per item, extracted at `fps`. */
  format: 'video' | 'frames';
  /** Whether records carry `start`/`end` seconds that bound the sampled window. */
  bound: boolean;
}

/** The 20 MVBench tasks and where their media live (the official notebook's `data_list`). */
export const MVBENCH_TASKS: Readonly<Record<string, MvbenchTask>> = {
  action_sequence: { folder: 'star/Charades_v1_480', format: 'video', bound: true },
  action_prediction: { folder: 'star/Charades_v1_480', format: 'video', bound: true },
  action_antonym: { folder: 'ssv2_video', format: 'video', bound: false },
  fine_grained_action: { folder: 'Moments_in_Time_Raw/videos', format: 'video', bound: false },
  unexpected_action: { folder: 'FunQA_test/test', format: 'video', bound: false },
  object_existence: { folder: 'clevrer/video_validation', format: 'video', bound: false },
  object_interaction: { folder: 'star/Charades_v1_480', format: 'video', bound: true },
  object_shuffle: { folder: 'perception/videos', format: 'video', bound: false },
  moving_direction: { folder: 'clevrer/video_validation', format: 'video', bound: false },
  action_localization: { folder: 'sta/sta_video', format: 'video', bound: true },
  scene_transition: { folder: 'scene_qa/video', format: 'video', bound: false },
  action_count: { folder: 'perception/videos', format: 'video', bound: false },
  moving_count: { folder: 'clevrer/video_validation', format: 'video', bound: false },
  moving_attribute: { folder: 'clevrer/video_validation', format: 'video', bound: false },
  state_change: { folder: 'perception/videos', format: 'video', bound: false },
  fine_grained_pose: { folder: 'nturgbd', format: 'video', bound: false },
  character_order: { folder: 'perception/videos', format: 'video', bound: false },
  egocentric_navigation: { folder: 'vlnqa', format: 'video', bound: false },
  episodic_reasoning: { folder: 'tvqa/frames_fps3_hq', format: 'frames', bound: true },
  counterfactual_inference: { folder: 'clevrer/video_validation', format: 'video', bound: false },
};

/** Frame rate of the pre-extracted TVQA frame folders. */
export const MVBENCH_FRAME_FOLDER_FPS = 3;

export interface MvbenchLoadOptions {
  /** Folder holding `json/` and `video/` as downloaded from the MVBench dataset. */
  dataDir: string;
  /** Frames sampled per clip (the official notebook uses 16; `select_frames` indexes 1..16). */
  frameCount?: number;
  /** Restrict to these tasks (file stems under `json/`). */
  tasks?: readonly string[];
}

/** The official user text: question, then lettered candidates. */
export function formatMvbenchQuestion(question: string, candidates: readonly string[]): string {
  return `Question: ${question}\nOptions:\n${formatOptions(candidates)}`;
}

export async function loadMvbench(options: MvbenchLoadOptions): Promise<LoadedBenchmark> {
  const frameCount = options.frameCount ?? 16;
  const jsonDir = join(options.dataDir, 'json');
  if (!(await pathExists(jsonDir))) {
    throw new BenchmarkDataNotFoundError(jsonDir, 'MVBench json/ folder');
  }
  const present = new Set((await readdir(jsonDir)).filter((name) => name.endsWith('.json')));
  const wanted = options.tasks ?? Object.keys(MVBENCH_TASKS);
  const items: BenchmarkItem[] = [];
  const missingMedia: MissingMedia[] = [];
  for (const task of wanted) {
    const spec = MVBENCH_TASKS[task];
    if (!spec) {
      throw new MalformedRecordError(
        { file: jsonDir },
        `unknown MVBench task "${task}"; known: ${Object.keys(MVBENCH_TASKS).join(', ')}`,
      );
    }
    if (!present.has(`${task}.json`)) continue;
    const file = join(jsonDir, `${task}.json`);
    const records = await readJsonFile(file, 'MVBench task file');
    if (!Array.isArray(records)) {
      throw new MalformedRecordError({ file }, 'expected a JSON list of question records');
    }
    const mediaRoot = await resolveMediaRoot(options.dataDir, spec.folder);
    for (let row = 0; row < records.length; row++) {
      const location = { file, row };
      const record = asObject(records[row], location);
      const video = stringField(record, 'video', location);
      const question = stringField(record, 'question', location);
      const candidates = stringArrayField(record, 'candidates', location);
      const answer = stringField(record, 'answer', location);
      const answerIndex = candidates.indexOf(answer);
      if (answerIndex < 0) {
        throw new MalformedRecordError(
          location,
          `field "answer" ("${answer}") is not one of "candidates"`,
        );
      }
      const bound =
        spec.bound && record.start !== undefined && record.end !== undefined
          ? {
              start: numberField(record, 'start', location),
              end: numberField(record, 'end', location),
            }
          : undefined;
      const path = await containedMediaPath(mediaRoot, video, location);
      const media: MediaSource =
        spec.format === 'frames'
          ? { kind: 'frame-folder', path, fps: MVBENCH_FRAME_FOLDER_FPS, frameCount, bound }
          : { kind: 'video-file', path, frameCount, bound };
      const id = `${task}/${row}`;
      if (!(await pathExists(path))) {
        missingMedia.push({ itemId: id, path });
        continue;
      }
      items.push({
        id,
        category: task,
        question: formatMvbenchQuestion(question, candidates),
        media: [media],
        groundTruth: { kind: 'choice', label: optionLetters[answerIndex]!, options: candidates },
        location,
      });
    }
  }
  return { items, missingMedia };
}

// The dataset ships the clips under video/<folder>; some mirrors unpack them next to json/.
async function resolveMediaRoot(dataDir: string, folder: string): Promise<string> {
  const underVideo = join(dataDir, 'video', folder);
  if (await pathExists(underVideo)) return underVideo;
  const beside = join(dataDir, folder);
  if (await pathExists(beside)) return beside;
  return underVideo;
}
