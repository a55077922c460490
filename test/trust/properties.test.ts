// Property-based tests (fast-check): texts built from random separators, line endings and long filler runs, with
// secrets planted at random offsets in the shipped rules' formats and usage forms. Whatever the surroundings and
// however the input is cut into chunks, every planted secret is found once, at the right line and column;
// redacted output in every registered format never contains a secret; JSON output always parses.
// Separators are limited to characters that end a token for every rule (no letters, digits, `_`, `-`, `.`, `+`,
// `/`, `=` or `~`), so a planted secret stays one token; random secrets that look like placeholders are excluded.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { isPlaceholder } from "../../src/engine/filters/placeholder.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import { REPORTERS } from "../../src/report/index.js";
import { scan } from "../../src/scan.js";
import { stdinSource } from "../../src/sources/stdin.js";
import { unescaped } from "./helpers.js";

const ruleset = loadRules();
const NUM_RUNS = 150;

/** A planted form: text before the secret, the secret's template, and the rule that must report it. */
const FORMS = [
  { prefix: "", template: "key-{alnum:93-96}", rule: "getimg.api-key" },
  { prefix: "", template: "atai_{alnum:16-60}", rule: "alttext-ai.api-key" },
  { prefix: "GETIMG_API_KEY=", template: "key-{alnum:96}", rule: "getimg.api-key" },
  { prefix: "GETIMG_API_KEY=", template: "sk_{alnum:40-48}", rule: "getimg.api-key" },
  { prefix: "ALTTEXT_API_KEY=", template: "atai_{alnum:32}", rule: "alttext-ai.api-key" },
];

const SEPARATORS = [" ", "\t", ",", ";", ":", '"', "'", "(", ")", "[", "]", "{", "}", "<", ">", "!", "|", "&", "#", "é", "—", "😀", "\n", "\r\n", "\r"];

type Piece = { kind: "sep"; text: string } | { kind: "secret"; form: number; seed: number };

const separatorRun = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 1, maxLength: 12 }).map((a) => a.join("")) },
  // Occasionally a long run, so secrets also land far into a long line and across any slice or chunk boundary.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(" ", ";", "\t"), fc.integer({ min: 1_000, max: 140_000 })).map(([c, n]) => c.repeat(n)) },
);

const pieces = fc
  .array(fc.tuple(separatorRun, fc.option(fc.record({ form: fc.nat(FORMS.length - 1), seed: fc.nat() }), { nil: undefined })), { minLength: 1, maxLength: 12 })
  .map((pairs) => {
    const out: Piece[] = [];
    for (const [sep, secret] of pairs) {
      out.push({ kind: "sep", text: sep });
      if (secret) out.push({ kind: "secret", ...secret });
    }
    out.push({ kind: "sep", text: "\n" });
    return out;
  });

interface Planted {
  secret: string;
  rule: string;
  line: number;
  column: number;
  endColumn: number;
}

/** Independent position arithmetic (not the code under test): \r\n, \n and a lone \r each end a line. */
function positionAt(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, offset).split(/\r\n|\n|\r/);
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function build(ps: Piece[]): { text: string; planted: Planted[] } {
  let text = "";
  const spans: Array<{ secret: string; rule: string; offset: number }> = [];
  for (const p of ps) {
    if (p.kind === "sep") {
      text += p.text;
      continue;
    }
    const form = FORMS[p.form]!;
    let secret = generateSecret(form.template, seededRandom(`plant-${p.seed}`));
    for (let i = 1; isPlaceholder(secret); i++) secret = generateSecret(form.template, seededRandom(`plant-${p.seed}-${i}`));
    text += form.prefix;
    spans.push({ secret, rule: form.rule, offset: text.length });
    text += secret;
  }
  const planted = spans.map((s) => {
    const start = positionAt(text, s.offset);
    return { secret: s.secret, rule: s.rule, ...start, endColumn: start.column + s.secret.length };
  });
  return { text, planted };
}

/** Cut bytes at the given fractions (anywhere: inside a UTF-8 sequence, between \r and \n, inside a secret). */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

async function* iterate(chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (const c of chunks) yield c;
}

async function scanChunks(text: string, cuts: number[]) {
  return scan(stdinSource(iterate(chunked(Buffer.from(text, "utf8"), cuts)), "planted.txt", 64 << 20), ruleset);
}

describe("properties", () => {
  it("every planted secret is found once, at its line and column, whatever the surroundings and chunking", async () => {
    await fc.assert(
      fc.asyncProperty(pieces, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), async (ps, cuts) => {
        const { text, planted } = build(ps);
        const result = await scanChunks(text, cuts);
        const got = result.findings.map((f) => ({ secret: f.secret, rule: f.ruleId, line: f.line, column: f.column, endColumn: f.endColumn }));
        expect(got).toEqual(planted);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("redacted output never contains a secret, in every format; JSON always parses", async () => {
    await fc.assert(
      fc.asyncProperty(pieces, async (ps) => {
        const { text, planted } = build(ps);
        const result = await scanChunks(text, []);
        for (const [format, render] of Object.entries(REPORTERS)) {
          const redacted = render(result, { redact: true, color: false });
          const plain = unescaped(redacted);
          for (const p of planted) expect(redacted.includes(p.secret) || plain.includes(p.secret), `${format} leaks a secret`).toBe(false);
          if (format === "json") {
            const parsed = JSON.parse(redacted);
            expect(parsed.findings).toHaveLength(planted.length);
            // Not redacted, the same report does carry the secrets (so the check above can fail).
            const full = JSON.parse(render(result, { redact: false, color: false }));
            expect(full.findings.map((f: { secret: string }) => f.secret)).toEqual(planted.map((p) => p.secret));
          }
          if (format === "jsonl") for (const line of redacted.split("\n").filter(Boolean)) JSON.parse(line);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
