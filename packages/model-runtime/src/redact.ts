/** What replaces a secret in text the project writes. */
export const REDACTED = '[redacted]';

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`. Servers echo request
 * details (an `Authorization` header, a key in a URL) in their error texts, and those texts end up
 * in summaries, logs and stderr. Values shorter than 8 characters are left alone: they are
 * placeholders (vLLM's `EMPTY`), not keys, and replacing them would garble ordinary words.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  const sorted = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length >= 8)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join(REDACTED);
  return out;
}
