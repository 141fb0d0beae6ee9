/** A two-sided confidence interval of a mean item score, and how it was computed. */
export interface ConfidenceInterval {
  low: number;
  high: number;
  /** 0.95 */
  level: number;
  /**
   * `wilson`: the Wilson score interval of a proportion (accuracy; scores are 0/1);
   * `normal`: mean ± z·s/√n with the sample standard deviation, clipped to [0, 1] (ANLS).
   */
  method: 'wilson' | 'normal';
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
