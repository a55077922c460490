// The placeholder filter must drop documentation placeholders but keep lowercase prefixed keys, whose shape is that
// of a snake/kebab identifier (hex keys such as OpenRouter's, Sentry user tokens, HubSpot `pat-na1-<uuid>`).
import { describe, expect, it } from "vitest";
import { isPlaceholder } from "../../src/engine/filters/placeholder.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";

describe("isPlaceholder", () => {
  it("drops identifiers and placeholder words", () => {
    for (const v of ["YOUR_API_KEY", "api_key_here", "my-openai-key", "sha256_digest_value", "OPENAI_API_KEY", "replace-me-with-key"]) {
      expect(isPlaceholder(v), v).toBe(true);
    }
  });
  it("keeps lowercase prefixed random keys", () => {
    const rand = seededRandom("placeholder-test");
    for (const t of ["sk-or-v1-{hex:64}", "sntryu_{hex:64}", "pat-na1-{uuid4hex}", "sk-{lowernum:32}", "napi_{lowernum:64}"]) {
      const v = generateSecret(t, rand);
      expect(isPlaceholder(v), v).toBe(false);
    }
  });
});
