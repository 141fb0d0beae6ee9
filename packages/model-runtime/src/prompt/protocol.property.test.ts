import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getPromptProfile } from './registry.js';

const PROFILES = ['openai-tools', 'deepeyes', 'mini-o3'] as const;

/** Text that often contains the tags the profiles look for. */
const modelText = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.constantFrom(
        '<tool_call>',
        '</tool_call>',
        '<grounding>',
        '</grounding>',
        '<answer>',
        '</answer>',
        '{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.1, 0.5, 0.5], "target_image": 1}}',
        '{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [1, 2, 30, 40]}}',
        '{"bbox_2d": [0, 0, 1, 1], "source": "observation_',
        '[[[[',
      ),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

describe('profile readers never throw on model output', () => {
  it('reads any text, native call or argument string into calls or error texts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROFILES),
        modelText,
        fc.array(fc.record({ id: fc.string(), name: fc.string(), arguments: modelText }), {
          maxLength: 3,
        }),
        fc.constantFrom('stop' as const, 'length' as const),
        fc.nat({ max: 5 }),
        (id, text, toolCalls, finishReason, visualCount) => {
          const profile = getPromptProfile(id);
          const reading = profile.readTurn!(
            { text, finishReason, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
            { turnIndex: 0 },
          );
          expect(reading.message.role).toBe('assistant');
          for (const call of reading.calls) {
            if (call.kind === 'invalid') {
              expect(typeof call.error).toBe('string');
            } else if (profile.resolveOperation) {
              const resolved = profile.resolveOperation(call.call, {
                turnIndex: 0,
                visualCount: visualCount + 1,
              });
              expect(typeof resolved.ok).toBe('boolean');
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
