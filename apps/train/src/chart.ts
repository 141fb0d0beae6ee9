export interface ChartSeries {
  name: string;
  color: string;
  points: readonly { x: number; y: number }[];
}

export interface ChartPanel {
  title: string;
  xLabel: string;
  series: readonly ChartSeries[];
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 52, right: 12, top: 28, bottom: 58 };

function panelSvg(panel: ChartPanel, offsetX: number): string {
  const points = panel.series.flatMap((series) => series.points);
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const parts: string[] = [
    `<g transform="translate(${offsetX},0)">`,
    `<text x="${PANEL_WIDTH / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
  ];
  if (points.length === 0) {
    parts.push(
      `<text x="${PANEL_WIDTH / 2}" y="${PANEL_HEIGHT / 2}" text-anchor="middle" font-size="12">no data</text></g>`,
    );
    return parts.join('');
  }
  const xMin = Math.min(...points.map((point) => point.x));
  const xMax = Math.max(...points.map((point) => point.x));
  let yMin = Math.min(...points.map((point) => point.y));
  let yMax = Math.max(...points.map((point) => point.y));
  if (yMax - yMin < 1e-9) {
    yMin -= 0.5;
    yMax += 0.5;
  }
  const sx = (x: number) =>
    MARGIN.left + (xMax === xMin ? plotWidth / 2 : ((x - xMin) / (xMax - xMin)) * plotWidth);
  const sy = (y: number) => MARGIN.top + plotHeight - ((y - yMin) / (yMax - yMin)) * plotHeight;
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
  );
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = yMin + ((yMax - yMin) * tick) / 4;
    const y = sy(value);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="10">${formatTick(value)}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left}" y="${MARGIN.top + plotHeight + 14}" font-size="10">${formatTick(xMin)}</text>`,
    `<text x="${MARGIN.left + plotWidth}" y="${MARGIN.top + plotHeight + 14}" text-anchor="end" font-size="10">${formatTick(xMax)}</text>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 14}" text-anchor="middle" font-size="10">${escapeXml(panel.xLabel)}</text>`,
  );
  panel.series.forEach((series, index) => {
    if (series.points.length > 0) {
      const path = series.points
        .map((point) => `${sx(point.x).toFixed(1)},${sy(point.y).toFixed(1)}`)
        .join(' ');
      parts.push(
        `<polyline fill="none" stroke="${series.color}" stroke-width="1.5" points="${path}"/>`,
      );
    }
    const legendY = MARGIN.top + plotHeight + 30 + Math.floor(index / 2) * 13;
    const legendX = MARGIN.left + (index % 2) * (plotWidth / 2);
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 14}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${series.color}" stroke-width="2"/>`,
      `<text x="${legendX + 18}" y="${legendY}" font-size="10">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</g>');
  return parts.join('');
}

/** Line charts side by side in one self-contained SVG. */
export function lineChartsSvg(panels: readonly ChartPanel[]): string {
  const width = PANEL_WIDTH * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_HEIGHT}" viewBox="0 0 ${width} ${PANEL_HEIGHT}" font-family="sans-serif">`,
    // The accessible name of the whole figure: its panel titles.
    `<title>${escapeXml(panels.map((panel) => panel.title).join('; '))}</title>`,
    `<rect width="${width}" height="${PANEL_HEIGHT}" fill="white"/>`,
    ...panels.map((panel, index) => panelSvg(panel, index * PANEL_WIDTH)),
    '</svg>\n',
  ].join('');
}
