/**
 * The keyword automaton's trie (Aho-Corasick): child lists, failure and dictionary links, breadth-first order, over an
 * alphabet of the keywords' own characters with upper case folded onto lower. What the rule-set image stores and what
 * keyword-automaton.ts walks, or makes its dense table from. Apart from the walks so that each file has one job.
 */
import type { AutomatonTables } from "./plans.js";

/** The trie and failure links for lowercase keywords (classes: an alphabet of the keywords' own characters). */
export function constructTrie(keywords: readonly string[]): AutomatonTables {
  // Alphabet: class 0 = "not in any keyword"; one class per distinct keyword character (UTF-16 unit), upper case
  // folded onto it.
  const classOf = new Map<number, number>();
  let width = 1;
  for (const k of keywords) {
    for (let i = 0; i < k.length; i++) {
      if (classOf.has(k.charCodeAt(i))) continue;
      if (width === 256) throw new Error("prefilter: more than 255 distinct keyword characters");
      classOf.set(k.charCodeAt(i), width);
      const ch = k[i]!;
      for (const variant of [ch.toUpperCase(), ch.toLowerCase()]) if (variant.length === 1) classOf.set(variant.charCodeAt(0), width);
      width++;
    }
  }
  // Trie as linked child lists, then breadth first: failure links, dictionary links and the BFS order.
  let maxStates = 1;
  for (const k of keywords) maxStates += k.length;
  const output = new Int32Array(maxStates).fill(-1);
  const firstChild = new Int32Array(maxStates).fill(-1);
  const nextSibling = new Int32Array(maxStates).fill(-1);
  const edgeClassOf = new Int32Array(maxStates);
  const childOn = (s: number, c: number): number => {
    for (let t = firstChild[s]!; t >= 0; t = nextSibling[t]!) if (edgeClassOf[t] === c) return t;
    return -1;
  };
  let n = 1;
  keywords.forEach((k, id) => {
    let s = 0;
    for (let i = 0; i < k.length; i++) {
      const c = classOf.get(k.charCodeAt(i))!;
      let t = childOn(s, c);
      if (t < 0) {
        t = n++;
        edgeClassOf[t] = c;
        nextSibling[t] = firstChild[s]!;
        firstChild[s] = t;
      }
      s = t;
    }
    output[s] = id;
  });
  const fail = new Int32Array(n);
  const dict = new Int32Array(n).fill(-1);
  const order = new Int32Array(n - 1);
  let tail = 0;
  for (let t = firstChild[0]!; t >= 0; t = nextSibling[t]!) order[tail++] = t;
  for (let head = 0; head < tail; head++) {
    const s = order[head]!;
    const f = fail[s]!;
    dict[s] = output[f]! >= 0 ? f : dict[f]!;
    for (let t = firstChild[s]!; t >= 0; t = nextSibling[t]!) {
      // A child's failure state: the deepest proper suffix state with an edge on the same character.
      const c = edgeClassOf[t]!;
      if (s !== 0) {
        let g = f;
        let via = childOn(g, c);
        while (via < 0 && g !== 0) {
          g = fail[g]!;
          via = childOn(g, c);
        }
        fail[t] = via < 0 ? 0 : via;
      }
      order[tail++] = t;
    }
  }
  const edgeStart = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) {
    let count = 0;
    for (let t = firstChild[s]!; t >= 0; t = nextSibling[t]!) count++;
    edgeStart[s + 1] = edgeStart[s]! + count;
  }
  const edgeClass = new Int32Array(n - 1);
  const edgeTarget = new Int32Array(n - 1);
  for (let s = 0; s < n; s++) {
    let e = edgeStart[s]!;
    for (let t = firstChild[s]!; t >= 0; t = nextSibling[t]!, e++) {
      edgeClass[e] = edgeClassOf[t]!;
      edgeTarget[e] = t;
    }
  }
  const classes: number[] = [];
  for (const [code, cls] of [...classOf].sort((a, b) => a[0] - b[0])) classes.push(code, cls);
  return { keywords: keywords.length, width, classes: Int32Array.from(classes), output: output.slice(0, n), dict, fail, edgeStart, edgeClass, edgeTarget, order };
}

