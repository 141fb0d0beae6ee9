import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultRecord, StepRecord, StoredImage } from '../results.js';
import { headlineValue, type RunSummary } from '../summary.js';
import type { GroundTruth } from '../types.js';
import {
  formatPercent,
  formatScoreWithInterval,
  PAPER_ROWS,
  paperColumnOf,
  protocolLines,
} from './markdown.js';

/** Hides right and unscored trajectories when "wrong or failed only" is picked. */
const filterScript = `for (const input of document.querySelectorAll('input[name=show]')) {
  input.addEventListener('change', () => {
    const wrongOnly = input.value === 'wrong' && input.checked;
    for (const item of document.querySelectorAll('details[data-outcome]')) {
      const outcome = item.getAttribute('data-outcome');
      item.hidden = wrongOnly && outcome !== 'wrong' && outcome !== 'error';
    }
  });
}`;

export interface HtmlReportOptions {
  summary: RunSummary;
  records: readonly ResultRecord[];
  /** The folder the records' image files are relative to. */
  outDir: string;
  /** Title line naming the evaluated model. */
  model: string;
  /** Trajectories shown per benchmark (those whose images were kept come first). Default 12. */
  trajectoriesPerBenchmark?: number;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

interface Bar {
  label: string;
  value: number | null;
  /** A reference value drawn as a tick (the paper's number). */
  reference?: number | null;
}

/** A horizontal bar chart of values in [0, 1] as inline SVG. */
export function barChartSvg(title: string, bars: readonly Bar[]): string {
  const labelWidth = 190;
  const chartWidth = 360;
  const rowHeight = 26;
  const top = 28;
  const height = top + bars.length * rowHeight + 24;
  const width = labelWidth + chartWidth + 70;
  const parts = [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="0" y="16" class="chart-title">${escapeHtml(title)}</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const x = labelWidth + tick * chartWidth;
    parts.push(
      `<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 20}" class="grid"/>`,
      `<text x="${x}" y="${height - 6}" class="tick" text-anchor="middle">${tick * 100}</text>`,
    );
  }
  bars.forEach((bar, index) => {
    const y = top + index * rowHeight;
    const barWidth = (bar.value ?? 0) * chartWidth;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end" class="bar-label">${escapeHtml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${barWidth.toFixed(1)}" height="${rowHeight - 8}" class="bar"/>`,
      `<text x="${labelWidth + barWidth + 6}" y="${y + 16}" class="bar-value">${formatPercent(bar.value)}</text>`,
    );
    if (bar.reference !== undefined && bar.reference !== null) {
      const x = labelWidth + bar.reference * chartWidth;
      parts.push(
        `<line x1="${x}" y1="${y + 1}" x2="${x}" y2="${y + rowHeight - 3}" class="reference"><title>paper ${formatPercent(bar.reference)}</title></line>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

const style = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d232b;background:#fff}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #d8dde3}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d8dde3;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}
.chart{margin:8px 16px 8px 0}.chart-title{font-weight:600;font-size:13px}.grid{stroke:#e4e8ec}
.tick,.bar-label,.bar-value{font-size:11px;fill:#333}.bar{fill:#3f7fbf}.reference{stroke:#c0392b;stroke-width:2}
.charts{display:flex;flex-wrap:wrap}
details{border:1px solid #d8dde3;border-radius:6px;margin:8px 0;padding:6px 10px}
summary{cursor:pointer;font-weight:600}.ok{color:#1e7d32}.bad{color:#b3261e}
pre{white-space:pre-wrap;background:#f5f7f9;padding:6px 8px;border-radius:4px;margin:4px 0}
.images{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
figure{margin:0}figcaption{font-size:11px;color:#555}
.frame{position:relative;display:inline-block;line-height:0}
.frame img{max-width:320px;max-height:320px;width:auto;height:auto;display:block}
.frame svg{position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none}
.box{fill:none;stroke:#e53935;stroke-width:2}.box-padded{fill:none;stroke:#ffb300;stroke-width:1.5;stroke-dasharray:5 3}
.step{border-left:3px solid #3f7fbf;padding-left:10px;margin:10px 0}
.op-error{color:#b3261e}.op-valid{color:#1e7d32}
.missing{color:#777;font-style:italic}
`;

interface Overlay {
  box: [number, number, number, number];
  step: number;
}

/** A crop box in normalized [0,1] units: the reference treats a box with every value < 1 as normalized. */
export function normalizedCropBox(
  bbox: unknown,
  image: StoredImage,
): [number, number, number, number] | null {
  if (
    !Array.isArray(bbox) ||
    bbox.length !== 4 ||
    !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    return null;
  }
  const [x1, y1, x2, y2] = bbox as number[];
  const normalized = (bbox as number[]).every((value) => value <= 1);
  const box: [number, number, number, number] = normalized
    ? [x1!, y1!, x2!, y2!]
    : [x1! / image.width, y1! / image.height, x2! / image.width, y2! / image.height];
  return box.map((value) => Math.min(1, Math.max(0, value))) as [number, number, number, number];
}

/**
 * Links the images already stored under `media/` instead of embedding them: a base64 report of a
 * 50-item run was 58 MB, and a full V* or MVBench one would not open. The report stays beside its
 * `media/` folder (both are in the output folder).
 */
class ImageEmbedder {
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly outDir: string) {}

  async dataUrl(image: StoredImage): Promise<string | null> {
    if (image.file === null) return null;
    const cached = this.cache.get(image.file);
    if (cached !== undefined) return cached;
    let url: string | null;
    try {
      await stat(join(this.outDir, image.file));
      url = image.file.split('/').map(encodeURIComponent).join('/');
    } catch {
      url = null;
    }
    this.cache.set(image.file, url);
    return url;
  }
}

/** Ground truth as a reader says it: `(C) red`, `12`, `"paris" or "london"`. */
export function groundTruthText(truth: GroundTruth): string {
  switch (truth.kind) {
    case 'choice': {
      const index = truth.label.toUpperCase().charCodeAt(0) - 65;
      const option = truth.options[index];
      return option === undefined ? `(${truth.label})` : `(${truth.label}) ${option}`;
    }
    case 'count':
      return String(truth.value);
    case 'texts':
    case 'reference':
      return truth.values.length === 0
        ? 'hidden (unscored split)'
        : truth.values.map((value) => JSON.stringify(value)).join(' or ');
  }
}

async function figureHtml(
  embedder: ImageEmbedder,
  image: StoredImage,
  caption: string,
  overlays: readonly Overlay[],
): Promise<string> {
  const url = await embedder.dataUrl(image);
  if (url === null) {
    return `<figure><div class="missing">image not kept (${image.width}×${image.height})</div><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
  }
  const boxes = overlays
    .map(({ box: [x1, y1, x2, y2], step }) => {
      const padded = [
        Math.max(0, x1 - 0.1),
        Math.max(0, y1 - 0.1),
        Math.min(1, x2 + 0.1),
        Math.min(1, y2 + 0.1),
      ];
      const rect = (b: number[], cls: string) =>
        `<rect class="${cls}" x="${(b[0]! * 1000).toFixed(1)}" y="${(b[1]! * 1000).toFixed(1)}" width="${((b[2]! - b[0]!) * 1000).toFixed(1)}" height="${((b[3]! - b[1]!) * 1000).toFixed(1)}" vector-effect="non-scaling-stroke"/>`;
      return `${rect(padded, 'box-padded')}${rect([x1, y1, x2, y2], 'box')}<title>crop of step ${step}</title>`;
    })
    .join('');
  const svg = boxes
    ? `<svg viewBox="0 0 1000 1000" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">${boxes}</svg>`
    : '';
  return `<figure><div class="frame"><a href="${escapeHtml(url)}" target="_blank"><img src="${escapeHtml(url)}" loading="lazy" width="${image.width}" height="${image.height}" alt="${escapeHtml(caption)}"/></a>${svg}</div><figcaption>${escapeHtml(caption)} (${image.width}×${image.height})</figcaption></figure>`;
}

/** Which chat image a crop's 1-based `target_image` names, following the reference's image list. */
function targetOf(
  record: ResultRecord,
  added: readonly StoredImage[],
  target: number,
): StoredImage | null {
  const { inputImages, isVideo } = record.episode;
  if (!Number.isInteger(target) || target < 1) return null;
  if (isVideo) {
    // The list is [[frames], image 2, …]: before anything is added, the index picks a frame.
    if (added.length === 0) return inputImages[target - 1] ?? null;
    return target >= 2 ? (added[target - 2] ?? null) : null;
  }
  const all = [...inputImages, ...added];
  return all[target - 1] ?? null;
}

async function trajectoryHtml(
  embedder: ImageEmbedder,
  record: ResultRecord,
  open: boolean,
): Promise<string> {
  const overlays = new Map<StoredImage, Overlay[]>();
  const added: StoredImage[] = [];
  record.episode.steps.forEach((step, index) => {
    const operation = step.operation;
    if (
      operation?.name.startsWith('crop') &&
      typeof operation.arguments === 'object' &&
      operation.arguments !== null
    ) {
      const args = operation.arguments as { bbox_2d?: unknown; target_image?: unknown };
      const target = targetOf(
        record,
        added,
        typeof args.target_image === 'number' ? args.target_image : 1,
      );
      const box = target ? normalizedCropBox(args.bbox_2d, target) : null;
      if (target && box)
        overlays.set(target, [...(overlays.get(target) ?? []), { box, step: index + 1 }]);
    }
    added.push(...step.images);
  });
  const ok = record.score !== null && record.score >= 0.5;
  const verdict =
    record.score === null
      ? 'unscored'
      : `<span class="${ok ? 'ok' : 'bad'}">${formatPercent(record.score)}</span>`;
  const outcome =
    record.error !== undefined
      ? 'error'
      : record.score === null
        ? 'unscored'
        : ok
          ? 'right'
          : 'wrong';
  const parts = [
    `<details${open ? ' open' : ''} data-item="${escapeHtml(record.id)}" data-outcome="${outcome}"><summary>${escapeHtml(record.id)} · ${escapeHtml(record.category)} · score ${verdict} · operations ${record.episode.operationsValid}/${record.episode.operationsAttempted}</summary>`,
    `<pre>${escapeHtml(record.question)}</pre>`,
    `<div>Ground truth: <b>${escapeHtml(groundTruthText(record.groundTruth))}</b> · extracted: <code>${escapeHtml(record.extracted === null ? 'nothing readable' : record.extracted)}</code>${record.needsOperation === true ? ' · needs an operation' : record.needsOperation === false ? ' · answerable without one' : ''}</div>`,
    ...(record.error !== undefined
      ? [
          `<div class="op-error">The episode threw on the model's output: ${escapeHtml(record.error)}</div>`,
        ]
      : []),
    '<div class="images">',
  ];
  for (const [index, image] of record.episode.inputImages.entries()) {
    const caption = record.episode.isVideo ? `frame ${index + 1}` : `image ${index + 1}`;
    parts.push(await figureHtml(embedder, image, caption, overlays.get(image) ?? []));
  }
  parts.push('</div>');
  let imageNumber = record.episode.isVideo ? 1 : record.episode.inputImages.length;
  for (const [index, step] of record.episode.steps.entries()) {
    parts.push(await stepHtml(embedder, step, index + 1, overlays, () => ++imageNumber));
  }
  parts.push('</details>');
  return parts.join('\n');
}

async function stepHtml(
  embedder: ImageEmbedder,
  step: StepRecord,
  number: number,
  overlays: Map<StoredImage, Overlay[]>,
  nextImageNumber: () => number,
): Promise<string> {
  const parts = [
    `<div class="step"><div><b>Step ${number}</b></div><pre>${escapeHtml(step.text)}</pre>`,
  ];
  if (step.operation) {
    const status = step.operation.valid
      ? '<span class="op-valid">valid</span>'
      : `<span class="op-error">error: ${escapeHtml(step.operation.error ?? 'invalid')}</span>`;
    parts.push(
      `<div>Operation <code>${escapeHtml(step.operation.name)}</code> <code>${escapeHtml(JSON.stringify(step.operation.arguments))}</code> — ${status}</div>`,
    );
  }
  if (step.images.length > 0) {
    parts.push('<div class="images">');
    for (const image of step.images) {
      parts.push(
        await figureHtml(embedder, image, `image ${nextImageNumber()}`, overlays.get(image) ?? []),
      );
    }
    parts.push('</div>');
  }
  parts.push('</div>');
  return parts.join('\n');
}

/**
 * An HTML report: the per-benchmark table with intervals and splits, failed items with their
 * reasons, inline SVG bar charts (with the paper's numbers as ticks), and a trajectory viewer
 * (filterable to wrong or failed items) with every step's text and images — linked from the
 * output folder's `media/`, not embedded — crop boxes drawn over the image they were taken from.
 */
export async function renderHtmlReport(options: HtmlReportOptions): Promise<string> {
  const { summary, records } = options;
  const perBenchmark = options.trajectoriesPerBenchmark ?? 12;
  const embedder = new ImageEmbedder(options.outDir);
  const names = Object.keys(summary);
  const paper = PAPER_ROWS[0]!.scores;
  const body: string[] = [
    `<h1>Evaluation report — ${escapeHtml(options.model)}</h1>`,
    '<table><thead><tr><th>Benchmark</th><th>Metric</th><th>Score [95% CI]</th><th>n</th><th>Needs operation</th><th>Answerable</th><th>RaPR</th><th>Well-formed calls</th><th>Operation error rate</th><th>Missing media</th><th>Failed</th></tr></thead><tbody>',
  ];
  const split = (part: RunSummary[string]['needsOperation']) =>
    part ? `${formatScoreWithInterval(part.score, part.interval)} (n=${part.n})` : '–';
  for (const name of names) {
    const entry = summary[name]!;
    body.push(
      `<tr><td>${escapeHtml(name)}</td><td>${entry.metric}</td><td>${formatScoreWithInterval(headlineValue(entry), entry.interval)}</td><td>${entry.n}</td><td>${split(entry.needsOperation)}</td><td>${split(entry.answerable)}</td><td>${formatPercent(entry.rapr)}</td><td>${formatPercent(entry.wellFormedRate)}</td><td>${formatPercent(entry.operationErrorRate)}</td><td>${entry.missingMedia.length}</td><td>${entry.failed}</td></tr>`,
    );
  }
  body.push('</tbody></table>');
  for (const name of names) {
    const entry = summary[name]!;
    const protocol = protocolLines(entry).filter((line) => line !== '');
    body.push(
      `<details class="settings"><summary>${escapeHtml(name)}: ${escapeHtml(protocol.join(' · '))}</summary><table><tbody>${Object.entries(
        entry.settings,
      )
        .map(
          ([key, value]) =>
            `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(String(value))}</td></tr>`,
        )
        .join('')}</tbody></table></details>`,
    );
  }
  const failed = names.flatMap((name) =>
    (summary[name]!.failures ?? []).map((failure) => ({ name, ...failure })),
  );
  if (failed.length > 0) {
    body.push(
      `<h2>Failed items (${failed.length}, no result; rerun to retry)</h2>`,
      '<ul class="failures">',
      ...failed
        .slice(0, 200)
        .map(
          (failure) =>
            `<li><code>${escapeHtml(failure.name)}</code> ${escapeHtml(failure.itemId)}: ${escapeHtml(failure.error)}</li>`,
        ),
      ...(failed.length > 200 ? [`<li>… ${failed.length - 200} more in summary.json</li>`] : []),
      '</ul>',
    );
  }
  body.push('<div class="charts">');
  const scoreBars = names.map((name) => {
    const column = paperColumnOf(name);
    const reference = column ? paper[column] : null;
    return {
      label: name,
      value: headlineValue(summary[name]!),
      reference: reference === null ? null : reference / 100,
    };
  });
  // Only real benchmarks have a paper number; the procedural suite mirrors them but is not them.
  const hasReference = scoreBars.some((bar) => bar.reference !== null);
  body.push(
    barChartSvg(
      `Score per benchmark${hasReference ? ' (red tick: Pixel-Reasoner 7B, paper)' : ''}`,
      scoreBars,
    ),
    barChartSvg(
      'RaPR (episodes with a valid operation)',
      names.map((name) => ({ label: name, value: summary[name]!.rapr })),
    ),
  );
  for (const name of names) {
    const entry = summary[name]!;
    const categories = Object.entries(entry.byCategory);
    if (categories.length > 1) {
      body.push(
        barChartSvg(
          `${name}: ${entry.metric} by category`,
          categories.map(([category, value]) => ({
            label: `${category} (n=${value.n})`,
            value: value.score,
          })),
        ),
      );
    }
  }
  body.push('</div>');
  body.push(
    '<div class="controls">Show: <label><input type="radio" name="show" value="all" checked> all</label> <label><input type="radio" name="show" value="wrong"> wrong or failed only</label></div>',
    '<p class="legend"><svg width="28" height="14"><rect class="box" x="1" y="1" width="26" height="12"/></svg> the box the model asked for · <svg width="28" height="14"><rect class="box-padded" x="1" y="1" width="26" height="12"/></svg> what was cropped (0.1 padding per side, clamped). Click an image to open it at full size.</p>',
  );
  for (const name of names) {
    const chosen = records
      .filter((record) => record.benchmark === name)
      .sort((a, b) => Number(hasKeptImages(b)) - Number(hasKeptImages(a)))
      .slice(0, perBenchmark);
    body.push(`<h2>Trajectories — ${escapeHtml(name)}</h2>`);
    if (chosen.length === 0) body.push('<p class="missing">no finished items</p>');
    for (const [index, record] of chosen.entries()) {
      body.push(await trajectoryHtml(embedder, record, index === 0));
    }
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Evaluation report — ${escapeHtml(options.model)}</title><style>${style}</style></head><body>\n${body.join('\n')}\n<script>${filterScript}</script>\n</body></html>\n`;
}

function hasKeptImages(record: ResultRecord): boolean {
  return (
    record.episode.inputImages.some((image) => image.file !== null) ||
    record.episode.steps.some((step) => step.images.some((image) => image.file !== null))
  );
}
