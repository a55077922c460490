// Issue 21 (rule count that costs nothing): the rule-set image's format 6 keeps the keywords and the providers' names
// as one text cut by length arrays. An image whose checksum is right but whose lengths do not fit together (a bug, or
// a file made by hand) must read as no image at all — the rules are then compiled — never as a rule set with wrong
// names. Each case below changes one number in the arrays and sets the checksum right again.
import { crc32, inflateRawSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeRuleSetImage, type RuleSetImage } from "../../src/engine/rule-set-image.js";
import type { RuleSet } from "../../src/engine/rule.js";
import { shippedImageFixture } from "../helpers.js";

/** The arrays' order in the image (rule-set-image.ts ARRAYS), to find the ones a case changes. */
const ARRAYS = ["starts", "items", "always", "pathGated", "gateStarts", "gateItems", "classes", "output", "dict", "fail", "edgeStart", "edgeClass", "edgeTarget", "order", "keywordLengths", "providerMatchers", "providerFlags", "providerFirst", "stringLengths"];

describe("issue 21: the rule-set image's lengths", () => {
  const shipped = shippedImageFixture("keyscan-issue21-image-");
  let cold: RuleSet;
  let image: RuleSetImage;
  beforeAll(() => ({ cold, image } = shipped));

  /** A copy of the image with `edit` applied to one of its arrays and the checksum made right again. */
  function edited(name: string, edit: (a: Int32Array) => void): Uint8Array {
    const bytes = new Uint8Array(new SharedArrayBuffer(image.bytes.length));
    bytes.set(image.bytes);
    const view = new DataView(bytes.buffer);
    const headLength = view.getUint32(12, true);
    const header = JSON.parse(inflateRawSync(Buffer.from(bytes.subarray(16, 16 + headLength))).toString("utf8")) as { lengths: number[] };
    let at = (16 + headLength + 3) & ~3;
    const index = ARRAYS.indexOf(name);
    for (let i = 0; i < index; i++) at += header.lengths[i]! * 4;
    edit(new Int32Array(bytes.buffer, at, header.lengths[index]!));
    view.setUint32(8, crc32(bytes.subarray(16)), true);
    return bytes;
  }

  it("reads the names and keywords a cold compile has", () => {
    const again = decodeRuleSetImage(edited("providerFlags", () => undefined))!;
    expect(again).toBeDefined();
    expect(Array.from({ length: again.providers.count }, (_, p) => again.providers.id(p))).toEqual(cold.providers.map((p) => p.id));
    const keywords = Array.from({ length: again.layout.keywordLengths.length }, (_, id) => again.layout.keywordAt(id));
    expect(keywords).toEqual(cold.prefilter.keywords);
    expect(again.layout.keywords).toEqual(cold.prefilter.keywords);
    const rules = Array.from({ length: again.providers.count }, (_, p) => again.providers.ruleIds(p)).flat();
    expect(rules).toEqual(cold.rules.map((r) => r.id));
  });

  it("is no image when a keyword's length is off (the text no longer adds up)", () => {
    expect(decodeRuleSetImage(edited("keywordLengths", (a) => (a[3] = a[3]! + 1)))).toBeUndefined();
    expect(decodeRuleSetImage(edited("keywordLengths", (a) => (a[0] = -a[0]!)))).toBeUndefined();
  });

  it("is no image when a name's length or a provider's first name is off", () => {
    expect(decodeRuleSetImage(edited("stringLengths", (a) => (a[a.length - 1] = a[a.length - 1]! + 5)))).toBeUndefined();
    expect(decodeRuleSetImage(edited("stringLengths", (a) => (a[1] = -1)))).toBeUndefined();
    // A provider with fewer than its id and file, and one starting before the one before it.
    expect(decodeRuleSetImage(edited("providerFirst", (a) => (a[1] = 1)))).toBeUndefined();
    expect(decodeRuleSetImage(edited("providerFirst", (a) => (a[0] = 1)))).toBeUndefined();
  });
});
