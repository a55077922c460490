/**
 * The randomness gate of the generic rules (`secret.random: true`): is a value assigned to `password`, `token`,
 * `api_key`… a generated secret, or a word, a key chord, a version, a path, a UUID, an identifier? Entropy alone
 * cannot tell (`SuperSecret1` and `ctrl+shift+down` score like keys), so this is a p-random test in the spirit of
 * ripsecrets: under the hypothesis "drawn uniformly from its alphabet", how likely are (a) this few distinct
 * characters, (b) this few digits / upper / lower letters, (c) this many common English bigrams? If the joint
 * probability is below 1 in 10,000 the value is not random. Structural shapes (UUIDs, versions, paths, URLs,
 * e-mail addresses, dotted or separated words) are rejected before the statistics.
 */

/** Common English letter pairs; random text rarely has many of them, words always do. */
const BIGRAMS = new Set(
  ("th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ri ro ic ne ea " +
    "ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh")
    .split(" "),
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^v?\d+(?:[._-]\d+)+(?:[-+.][0-9A-Za-z.-]*)?$/;
const PATHLIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|\.{0,2}\/|~\/|[A-Za-z]:\\)/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;

/** ln of the binomial CDF P(X ≤ k) for X ~ Bin(n, p), computed in log space. */
function logBinomCdf(k: number, n: number, p: number): number {
  if (k >= n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return k >= n ? 0 : -Infinity;
  const lp = Math.log(p);
  const lq = Math.log(1 - p);
  let logC = 0; // ln C(n, 0)
  let acc = -Infinity;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    const term = logC + i * lp + (n - i) * lq;
    acc = acc === -Infinity ? term : Math.max(acc, term) + Math.log1p(Math.exp(-Math.abs(acc - term)));
  }
  return Math.min(0, acc);
}

/** The occupancy chain's two rows, reused (issue 21: a fresh row per draw was most of this filter's time). */
let rowA = new Float64Array(64);
let rowB = new Float64Array(64);

/**
 * ln P(at most `d` distinct symbols in `n` uniform draws from `c`), by dynamic programming over the occupancy chain.
 * Only states 0…d are kept: the count of distinct symbols never falls, so mass that passes d never comes back and
 * the states kept get the same sums, in the same order, as with the full chain.
 */
export function logDistinctCdf(d: number, n: number, c: number): number {
  if (d >= Math.min(n, c)) return 0;
  const width = d + 1;
  if (rowA.length < width) {
    rowA = new Float64Array(width * 2);
    rowB = new Float64Array(width * 2);
  }
  let dist = rowA;
  let next = rowB;
  dist.fill(0, 0, width);
  dist[0] = 1;
  for (let draw = 0; draw < n; draw++) {
    next.fill(0, 0, width);
    for (let k = 0; k < width; k++) {
      const pk = dist[k]!;
      if (pk === 0) continue;
      next[k] += pk * (k / c);
      if (k + 1 < width) next[k + 1] += pk * ((c - k) / c);
    }
    const t = dist;
    dist = next;
    next = t;
  }
  let s = 0;
  for (let k = 0; k <= d; k++) s += dist[k]!;
  return Math.log(Math.max(s, 1e-300));
}

/**
 * True when the value is made of words joined by separators or case changes (ctrl+shift+down, my-app.config,
 * applicationDefault), or of capitalised words around short numbers (Uint8Array, Base64Encoder): every part is a
 * word, an acronym or a short number, and parts of three or more letters hold most of the letters. Random text
 * splits into many one- and two-letter fragments instead.
 */
function isWordy(value: string): boolean {
  return wordParts(value, false) || (/[A-Z][a-z]/.test(value) && wordParts(value, true));
}

function wordParts(value: string, splitDigits: boolean): boolean {
  let v = value.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2");
  if (splitDigits) v = v.replace(/([A-Za-z])(\d)/g, "$1 $2").replace(/(\d)([A-Za-z])/g, "$1 $2");
  const parts = v.split(/[^A-Za-z0-9]+|\s+/).filter((p) => p.length > 0);
  if (parts.length < 2 || (!splitDigits && parts.length * 3 > value.length)) return false;
  if (!parts.every((p) => /^[A-Z]?[a-z]{1,14}$/.test(p) || /^[A-Z]{1,5}$/.test(p) || /^\d{1,4}$/.test(p))) return false;
  const letters = parts.filter((p) => /^[A-Za-z]/.test(p));
  // Word-like: at least one vowel in four letters (random consonant clusters such as "Hbcx" or "Vsqvm" are not words).
  const long = letters.filter((p) => p.length >= 3 && (p.match(/[aeiouy]/gi) ?? []).length * 4 >= p.length);
  if (splitDigits && (long.length < 2 || !long.every((p, i) => /^[A-Z][a-z]+$/.test(p) || (i === 0 && /^[a-z]+$/.test(p))))) return false;
  const total = letters.reduce((n, p) => n + p.length, 0);
  const inWords = long.reduce((n, p) => n + p.length, 0);
  return total > 0 && inWords >= total * 0.7;
}

/** A PascalCase type or class name: `HttpBackend`, `Uint8ClampedArray`, `ApiKeyCredentials`. */
const PASCAL_IDENTIFIER = /^(?:[A-Z][a-z]+[0-9]{0,2}){2,}$/;

/** Keyboard shortcuts: `ctrl+shift+down`, `Cmd+Alt+K`. */
const KEY_CHORD = /^(?:(?:ctrl|control|alt|shift|cmd|command|meta|super|win|option|opt|mod|hyper)[+-])+[^\s+]{1,12}$/i;

/** A reference in code rather than a value: `i1.HttpBackend`, `this.config.token`, `os.environ`, `$store.state.key`. */
const CODE_PATH = /^[A-Za-z_$][\w$]*(?:(?:\.|\?\.|::|->)[A-Za-z_$][\w$]*)+$/;

export interface RandomnessVerdict {
  random: boolean;
  /** Why not, for tooling and tests. */
  reason?: string;
  /** ln of the joint probability under the random hypothesis (0 = perfectly ordinary for random text). */
  logP?: number;
}

/** Minimum length of a value the generic rules consider; shorter passwords are out of scope (too many false alarms). */
export const MIN_RANDOM_LENGTH = 10;
const LOG_THRESHOLD = Math.log(1e-4);

export function randomness(value: string): RandomnessVerdict {
  const n = value.length;
  if (n < MIN_RANDOM_LENGTH) return { random: false, reason: "short" };
  if (UUID.test(value)) return { random: false, reason: "uuid" };
  // Truncated documentation values: `sk-ant-api03-...`, `eyJrIjoi…`.
  if (/\.{3}|…/.test(value)) return { random: false, reason: "truncated" };
  if (VERSION.test(value)) return { random: false, reason: "version" };
  if (PATHLIKE.test(value) || /\.(?:js|ts|json|ya?ml|html?|css|png|svg|txt|md|py|go|rb|java|sh)$/i.test(value)) return { random: false, reason: "path" };
  if (/(?:^|\/)\.\.?\//.test(value) || /[?&][A-Za-z_][\w.-]*=/.test(value)) return { random: false, reason: "path or query" };
  if (EMAIL.test(value)) return { random: false, reason: "email" };
  if (/^\d+$/.test(value)) return { random: false, reason: "number" };
  if ((/^[a-z]+$/.test(value) || /^[A-Z]+$/.test(value)) && n < 24) return { random: false, reason: "letters only" };
  if (KEY_CHORD.test(value)) return { random: false, reason: "key chord" };
  if (isWordy(value)) return { random: false, reason: "words" };
  if (CODE_PATH.test(value) || PASCAL_IDENTIFIER.test(value)) return { random: false, reason: "code reference" };
  // Hash prefixes (sha512-…, sha256:…) are integrity checksums, public by design.
  if (/^(?:sha\d{1,3}|md5|sha)[-:]/i.test(value)) return { random: false, reason: "hash" };

  let digits = 0;
  let upper = 0;
  let lower = 0;
  let other = 0;
  for (const ch of value) {
    if (ch >= "0" && ch <= "9") digits++;
    else if (ch >= "A" && ch <= "Z") upper++;
    else if (ch >= "a" && ch <= "z") lower++;
    else other++;
  }
  if ((digits > 0 ? 1 : 0) + (upper > 0 ? 1 : 0) + (lower > 0 ? 1 : 0) < 2 && n < 32) return { random: false, reason: "one character class" };
  const hex = /^[0-9a-f]+$/.test(value) || /^[0-9A-F]+$/.test(value);
  // The alphabet the value was plausibly drawn from.
  let c: number;
  const classes: Array<[number, number]> = []; // [observed count, class size]
  if (hex) {
    c = 16;
    classes.push([digits, 10], [upper + lower, 6]);
  } else {
    const hasUpper = upper > 0;
    const hasLower = lower > 0;
    c = (hasUpper ? 26 : 0) + (hasLower ? 26 : 0) + 10 + (other > 0 ? 4 : 0);
    classes.push([digits, 10]);
    if (hasUpper && hasLower) classes.push([upper, 26], [lower, 26]);
  }
  let logP = logDistinctCdf(new Set(value).size, n, c);
  for (const [count, size] of classes) logP += logBinomCdf(count, n, size / c);

  // Bigrams over letters (case-folded): words are full of common pairs.
  if (!hex) {
    const lowerValue = value.toLowerCase();
    let pairs = 0;
    let common = 0;
    for (let i = 0; i + 1 < n; i++) {
      const a = lowerValue[i]!;
      const b = lowerValue[i + 1]!;
      if (a < "a" || a > "z" || b < "a" || b > "z") continue;
      pairs++;
      if (BIGRAMS.has(a + b)) common++;
    }
    if (pairs > 0) {
      // Chance that a random letter pair is common; P(at least `common` of `pairs`).
      const p = BIGRAMS.size / 676;
      const tail = common === 0 ? 0 : Math.log(Math.max(1e-300, 1 - Math.exp(logBinomCdf(common - 1, pairs, p))));
      logP += tail;
    }
  }
  if (logP < LOG_THRESHOLD) return { random: false, reason: "not random (p-random test)", logP };
  return { random: true, logP };
}
