/**
 * A simulated larger catalogue (issue 21: "rule count that costs nothing"): `writeSynthRules(dir, providers)` writes
 * that many provider files, two rules each, shaped like the shipped ones — a prefixed key format with its prefix as
 * keyword and env-name, header and SDK usages; a hex secret that needs the provider's name near it; every fifth
 * provider also takes `Authorization: Bearer` near its hosts, as real providers do (the `authorization` keyword
 * selects ~130 matchers in the shipped set). Names and prefixes are made from a fixed seed, so two runs write the
 * same files. Run alone: `node bench/lib/synth-rules.mjs DIR [providers=1000]`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SYLLABLES = ["ka", "lo", "mi", "ne", "zu", "ra", "to", "vi", "qu", "xe", "bo", "fa", "gi", "hu", "je", "wy", "pa", "so", "du", "ce"];

function* names(seed) {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  const seen = new Set();
  for (;;) {
    const n = 3 + Math.floor(rand() * 2); // 6-8 letters, as provider names are
    let name = "";
    for (let i = 0; i < n; i++) name += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    if (seen.has(name)) continue;
    seen.add(name);
    yield { name, prefix: `${name.slice(0, 3 + Math.floor(rand() * 3))}${Math.floor(rand() * 90 + 10)}_`, bearer: rand() < 0.2 };
  }
}

export function synthProviderFile({ name, prefix, bearer }) {
  const id = `synth-${name}`;
  const upper = name.toUpperCase();
  const title = name[0].toUpperCase() + name.slice(1);
  return `provider: ${id}
name: ${title} (synthetic)
hosts: [api.${name}.example]
rules:
  - id: ${id}.api-key
    name: ${title} API key
    description: Synthetic provider for the scaling bench (bench/lib/synth-rules.mjs).
    severity: high
    secret:
      pattern: '${prefix}[A-Za-z0-9]{32,40}'
      keywords: [${prefix}]
      standalone: true
    usages:
      - env: [${upper}_API_KEY, ${upper}_TOKEN, ${upper}_ACCESS_KEY]
        value: any
      - header: X-${title}-Key
        value: any
      - sdk: [${title}Client]
        value: any
${bearer ? `      - header: Authorization\n        scheme: Bearer\n        near: hosts\n        value: any\n` : ""}    examples:
      - text: 'const key = "{{secret}}";'
        secret: '${prefix}{alnum:36}'
      - text: '${upper}_API_KEY={{secret}}'
        secret: 'tok{alnum:30}'
    negatives:
      - text: 'const key = "${prefix}your-key-here";'
  - id: ${id}.secret
    name: ${title} signing secret
    description: Synthetic provider for the scaling bench (bench/lib/synth-rules.mjs).
    severity: medium
    secret:
      pattern: '[a-f0-9]{40}'
      standalone:
        near: [${name}]
    usages:
      - env: [${upper}_SIGNING_SECRET, ${upper}_SECRET]
    examples:
      - text: '${upper}_SECRET={{secret}}'
        secret: '{hex:40}'
    negatives:
      - text: 'commit = "{hex:40}"'
`;
}

/** Write `providers` synthetic provider files (2 rules each) into `dir`; returns the rule count. */
export function writeSynthRules(dir, providers = 1000, seed = 21) {
  mkdirSync(dir, { recursive: true });
  const gen = names(seed);
  for (let i = 0; i < providers; i++) {
    const p = gen.next().value;
    writeFileSync(join(dir, `synth-${p.name}.yaml`), synthProviderFile(p));
  }
  return providers * 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: node bench/lib/synth-rules.mjs DIR [providers=1000]");
  console.log(`${writeSynthRules(dir, Number(process.argv[3] ?? 1000))} synthetic rules in ${dir}`);
}
