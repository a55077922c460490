/**
 * Patterns that can backtrack catastrophically (ReDoS), found on the parsed tree with two classic checks: a
 * quantified body whose iterations can split the same text in several ways (`(a+)+`, `(\w+\s?)*`: a
 * variable-length tail that can also start the next iteration) and an alternation under a quantifier whose branches
 * can start with the same character (`(a|ab)*`). Small bounded repeats (`{0,3}`) are exempt: their blow-up is bounded
 * by a small power. Adjacent unbounded repeats over overlapping characters (`\s*\s*`) are reported as quadratic.
 */
import { emptyBits, foldCase, intersects, union, type CharBits } from "./char-set.js";
import type { Node } from "./parse.js";

/** A quantifier with at most this many iterations is not considered a blow-up risk. */
const SMALL_REPEAT = 10;
export function nullable(n: Node): boolean {
  switch (n.kind) {
    case "seq":
      return n.items.every(nullable);
    case "alt":
      return n.options.some(nullable);
    case "chars":
      return false;
    case "group":
      return nullable(n.body);
    case "repeat":
      return n.min === 0 || nullable(n.body);
    default:
      return true;
  }
}

export function firstSet(n: Node, fold: boolean): CharBits {
  switch (n.kind) {
    case "seq": {
      let b = emptyBits();
      for (const x of n.items) {
        b = union(b, firstSet(x, fold));
        if (!nullable(x)) break;
      }
      return b;
    }
    case "alt":
      return n.options.reduce((b, o) => union(b, firstSet(o, fold)), emptyBits());
    case "chars":
      return fold ? foldCase(n.set) : n.set;
    case "group":
    case "repeat":
      return firstSet(n.body, fold);
    default:
      return emptyBits();
  }
}

/** The variable-length repeats a node can end with (followed only by nullable items). */
export function trailingRepeats(n: Node): Array<Extract<Node, { kind: "repeat" }>> {
  switch (n.kind) {
    case "seq": {
      const out: Array<Extract<Node, { kind: "repeat" }>> = [];
      for (let k = n.items.length - 1; k >= 0; k--) {
        out.push(...trailingRepeats(n.items[k]!));
        if (!nullable(n.items[k]!)) break;
      }
      return out;
    }
    case "alt":
      return n.options.flatMap(trailingRepeats);
    case "group":
      return trailingRepeats(n.body);
    case "repeat":
      return n.max > n.min ? [n, ...trailingRepeats(n.body)] : trailingRepeats(n.body);
    default:
      return [];
  }
}

export function findRisks(n: Node, fold: boolean, risks: string[]): void {
  switch (n.kind) {
    case "seq": {
      n.items.forEach((x) => findRisks(x, fold, risks));
      // Adjacent unbounded repeats over overlapping characters: quadratic work per start position.
      for (let k = 0; k + 1 < n.items.length; k++) {
        const a = n.items[k]!;
        if (a.kind !== "repeat" || a.max !== Infinity) continue;
        for (let j = k + 1; j < n.items.length; j++) {
          const b = n.items[j]!;
          if (b.kind === "repeat" && b.max === Infinity && intersects(firstSet(a.body, fold), firstSet(b.body, fold))) {
            risks.push("two adjacent unbounded quantifiers can match the same characters (quadratic backtracking)");
          }
          if (!nullable(b)) break;
        }
      }
      return;
    }
    case "alt":
      n.options.forEach((x) => findRisks(x, fold, risks));
      return;
    case "look":
    case "group":
      findRisks(n.body, fold, risks);
      return;
    case "repeat": {
      findRisks(n.body, fold, risks);
      if (n.max <= SMALL_REPEAT) return;
      const start = firstSet(n.body, fold);
      for (const inner of trailingRepeats(n.body)) {
        if (inner === n) continue;
        if (intersects(firstSet(inner.body, fold), start) || nullable(n.body)) {
          risks.push("nested quantifier: a repeated group ends in a variable-length part that can also start the next repetition (exponential backtracking)");
          break;
        }
      }
      const alts = collectTopAlternatives(n.body);
      for (let a = 0; a < alts.length; a++) {
        for (let b = a + 1; b < alts.length; b++) {
          if (intersects(firstSet(alts[a]!, fold), firstSet(alts[b]!, fold))) {
            risks.push("alternatives under a quantifier can start with the same character (exponential backtracking)");
            return;
          }
        }
      }
      return;
    }
    default:
      return;
  }
}

function collectTopAlternatives(n: Node): Node[] {
  if (n.kind === "alt") return n.options;
  if (n.kind === "group") return collectTopAlternatives(n.body);
  if (n.kind === "seq" && n.items.length === 1) return collectTopAlternatives(n.items[0]!);
  return [];
}
