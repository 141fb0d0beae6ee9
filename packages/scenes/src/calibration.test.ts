import { describe, expect, it } from 'vitest';
import { hiddenDetailSize } from './calibration.js';
import { UncalibratableSceneError } from './errors.js';

describe('hiddenDetailSize', () => {
  // A view at 1/16 scale hides sizes up to 4 (0.25 px); the operation shows sizes ≥ 3 at ≥ 1.4 px.
  const options = {
    family: 'test',
    viewScale: 1 / 16,
    operationScale: () => 0.5,
    hiddenPx: 0.25,
    readablePx: 1.4,
  };

  it('gives the smallest size readable after the operation yet hidden, or the largest', () => {
    expect(hiddenDetailSize(options)).toBe(3);
    expect(hiddenDetailSize({ ...options, prefer: 'largest' })).toBe(4);
  });

  it('refuses budgets that leave no such size', () => {
    expect(() => hiddenDetailSize({ ...options, operationScale: () => 0.1 })).toThrow(
      UncalibratableSceneError,
    );
  });
});
