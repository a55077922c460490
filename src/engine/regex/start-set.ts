/**
 * The characters a match can begin with, from the parsed tree, as the lookup table the windowed matcher uses to skip
 * start positions no match can have (windows.ts).
 */
import { emptyBits, foldCase, invert, union, type CharBits } from "./char-set.js";
import type { Node } from "./parse.js";

/** First characters of a node's matches, and whether it can match the empty string (then what follows counts too). */
export function firstChars(n: Node, fold: boolean): { set: CharBits; nullable: boolean } {
  switch (n.kind) {
    case "chars":
      return { set: fold ? foldCase(n.set) : n.set, nullable: false };
    case "assert":
    case "look":
      return { set: emptyBits(), nullable: true };
    case "backref":
      return { set: invert(emptyBits()), nullable: true }; // anything, possibly nothing
    case "group":
      return firstChars(n.body, fold);
    case "alt": {
      let set = emptyBits();
      let nullable = false;
      for (const o of n.options) {
        const f = firstChars(o, fold);
        set = union(set, f.set);
        nullable ||= f.nullable;
      }
      return { set, nullable };
    }
    case "repeat": {
      if (n.max === 0) return { set: emptyBits(), nullable: true };
      const f = firstChars(n.body, fold);
      return { set: f.set, nullable: f.nullable || n.min === 0 };
    }
    case "seq": {
      let set = emptyBits();
      for (const item of n.items) {
        const f = firstChars(item, fold);
        set = union(set, f.set);
        if (!f.nullable) return { set, nullable: false };
      }
      return { set, nullable: true };
    }
  }
}
