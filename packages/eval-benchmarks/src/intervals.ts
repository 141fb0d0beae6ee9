/** A two-sided confidence interval of a mean item score, and how it was computed. */
export interface ConfidenceInterval {
  low: number;
  high: number;
  /** 0.95 */
  level: number;
  /**
   * `wilson`: the Wilson score interval of a proportion (accuracy; scores are 0/1);
   * `normal`: mean ± z·s/√n with the sample standard deviation, clipped to [0, 1] (ANLS, and
   * accuracy averaged over repeats); `stratified`: a mean of group means (HR-Bench over
   * `cycle_category`) ± z·√(Σ s²_g/n_g)/G, clipped to [0, 1].
   */
  method: 'wilson' | 'normal' | 'stratified';
}

/** z of a two-sided 95% interval. */
const Z_95 = 1.959963984540054;

/**
 * Wilson score interval for `successes` out of `n` (Wilson 1927): unlike the normal
 * approximation it stays inside [0, 1] and is not degenerate at 0% or 100%. `null` for n = 0.
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): ConfidenceInterval | null {
  if (n === 0) return null;
  const proportion = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (proportion + z2 / (2 * n)) / denominator;
  const halfWidth =
    (z * Math.sqrt((proportion * (1 - proportion)) / n + z2 / (4 * n * n))) / denominator;
  return {
    low: Math.max(0, centre - halfWidth),
    high: Math.min(1, centre + halfWidth),
    level: 0.95,
    method: 'wilson',
  };
}

/**
 * Normal interval on the mean of scores in [0, 1]: mean ± z·s/√n (s the sample standard deviation,
 * n − 1 in the denominator), clipped to [0, 1]. One item gives a zero-width interval at its score.
 */
export function normalMeanInterval(values: readonly number[], z = Z_95): ConfidenceInterval | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const variance =
    n < 2 ? 0 : values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  const halfWidth = z * Math.sqrt(variance / n);
  return {
    low: Math.max(0, mean - halfWidth),
    high: Math.min(1, mean + halfWidth),
    level: 0.95,
    method: 'normal',
  };
}

/**
 * The interval a metric reports: Wilson for accuracy (item scores are 0/1, the sum is the count
 * of correct items), the normal interval on the mean for ANLS.
 */
export function scoreInterval(
  metric: 'accuracy' | 'anls',
  scores: readonly number[],
): ConfidenceInterval | null {
  if (metric === 'accuracy') {
    return wilsonInterval(
      scores.reduce((sum, score) => sum + score, 0),
      scores.length,
    );
  }
  return normalMeanInterval(scores);
}

/**
 * Interval of a mean of group means (each group weighted equally, as HR-Bench averages its
 * cycle categories): the groups are independent samples, so the variance of the average is
 * Σ (s²_g / n_g) / G². `null` when there is no group.
 */
export function stratifiedMeanInterval(
  groups: readonly (readonly number[])[],
  z = Z_95,
): ConfidenceInterval | null {
  const filled = groups.filter((values) => values.length > 0);
  if (filled.length === 0) return null;
  let centre = 0;
  let variance = 0;
  for (const values of filled) {
    const n = values.length;
    const mean = values.reduce((sum, value) => sum + value, 0) / n;
    const sampleVariance =
      n < 2 ? 0 : values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
    centre += mean / filled.length;
    variance += sampleVariance / n / filled.length ** 2;
  }
  const halfWidth = z * Math.sqrt(variance);
  return {
    low: Math.max(0, centre - halfWidth),
    high: Math.min(1, centre + halfWidth),
    level: 0.95,
    method: 'stratified',
  };
}
