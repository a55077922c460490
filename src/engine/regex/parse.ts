/**
 * A small parser for the JS regex syntax rules use (non-unicode mode), into a tree that the analyses in this folder
 * walk: length bounds (length.ts), backtracking risks (redos.ts), first characters (start-set.ts) and keyword leads
 * (leads.ts). Off-the-shelf checkers were tried and do not fit: `safe-regex2` parses with `ret`, which rejects
 * lookbehind and misreads lazy quantifiers (flagging every `{0,400}?`), and `recheck` needs seconds per pattern in its
 * pure-JS build. A pattern is validated by `new RegExp` first; this parser throws on what it does not understand.
 */
import { addCode, addRange, classEscape, emptyBits, invert, SIMPLE_ESCAPES, union, type CharBits } from "./char-set.js";

export type Node =
  | { kind: "seq"; items: Node[] }
  | { kind: "alt"; options: Node[] }
  | { kind: "chars"; set: CharBits }
  | { kind: "assert" }
  | { kind: "look"; behind: boolean; body: Node }
  | { kind: "group"; body: Node }
  | { kind: "repeat"; min: number; max: number; body: Node }
  | { kind: "backref" };

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly dotAll: boolean,
  ) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.src.length) throw new Error(`unexpected ')' at ${this.i}`);
    return n;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.i] === "|") {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: "alt", options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      let atom = this.atom();
      atom = this.quantified(atom);
      items.push(atom);
    }
    return { kind: "seq", items };
  }

  private quantified(atom: Node): Node {
    const s = this.src;
    const c = s[this.i];
    let min: number;
    let max: number;
    if (c === "*") [min, max] = [0, Infinity];
    else if (c === "+") [min, max] = [1, Infinity];
    else if (c === "?") [min, max] = [0, 1];
    else if (c === "{") {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    if (s[this.i] === "?") this.i++; // lazy: same language, same length bound
    return this.quantified({ kind: "repeat", min, max, body: atom });
  }

  private atom(): Node {
    const s = this.src;
    const c = s[this.i]!;
    if (c === "(") {
      this.i++;
      let look: { behind: boolean } | undefined;
      if (s.startsWith("?:", this.i)) this.i += 2;
      else if (s.startsWith("?=", this.i) || s.startsWith("?!", this.i)) {
        this.i += 2;
        look = { behind: false };
      } else if (s.startsWith("?<=", this.i) || s.startsWith("?<!", this.i)) {
        this.i += 3;
        look = { behind: true };
      } else if (s.startsWith("?<", this.i)) {
        const end = s.indexOf(">", this.i);
        if (end < 0) throw new Error("unterminated group name");
        this.i = end + 1;
      } else if (s[this.i] === "?") throw new Error(`unsupported group syntax (?${s[this.i + 1] ?? ""}`);
      const body = this.alternation();
      if (s[this.i] !== ")") throw new Error("unterminated group");
      this.i++;
      return look ? { kind: "look", behind: look.behind, body } : { kind: "group", body };
    }
    if (c === "[") return this.charClass();
    if (c === "^" || c === "$") {
      this.i++;
      return { kind: "assert" };
    }
    if (c === ".") {
      this.i++;
      const b = invert(emptyBits());
      if (!this.dotAll) {
        b.bits[0]! &= ~((1 << 10) | (1 << 13));
      }
      return { kind: "chars", set: b };
    }
    if (c === "\\") return this.escape();
    this.i++;
    const b = emptyBits();
    addCode(b, c.charCodeAt(0));
    return { kind: "chars", set: b };
  }

  private escape(): Node {
    const s = this.src;
    const e = s[this.i + 1];
    if (e === undefined) throw new Error("trailing backslash");
    this.i += 2;
    if (e === "b" || e === "B") return { kind: "assert" };
    const cls = classEscape(e);
    if (cls) return { kind: "chars", set: cls };
    if (/[1-9]/.test(e)) {
      while (/[0-9]/.test(s[this.i] ?? "")) this.i++;
      return { kind: "backref" };
    }
    if (e === "k" && s[this.i] === "<") {
      this.i = s.indexOf(">", this.i) + 1;
      return { kind: "backref" };
    }
    return { kind: "chars", set: this.escapedCode(e) };
  }

  /** The character an escape (after the backslash, already consumed) stands for. */
  private escapedCode(e: string): CharBits {
    const b = emptyBits();
    const s = this.src;
    if (e in SIMPLE_ESCAPES) addCode(b, SIMPLE_ESCAPES[e]!);
    else if (e === "x" && /^[0-9a-fA-F]{2}/.test(s.slice(this.i))) {
      addCode(b, parseInt(s.slice(this.i, this.i + 2), 16));
      this.i += 2;
    } else if (e === "u" && /^[0-9a-fA-F]{4}/.test(s.slice(this.i))) {
      addCode(b, parseInt(s.slice(this.i, this.i + 4), 16));
      this.i += 4;
    } else if (e === "c" && /[A-Za-z]/.test(s[this.i] ?? "")) {
      addCode(b, s.charCodeAt(this.i) % 32);
      this.i++;
    } else addCode(b, e.charCodeAt(0));
    return b;
  }

  private charClass(): Node {
    const s = this.src;
    this.i++;
    let negate = false;
    if (s[this.i] === "^") {
      negate = true;
      this.i++;
    }
    let b = emptyBits();
    let first = true;
    while (this.i < s.length && (s[this.i] !== "]" || false)) {
      if (s[this.i] === "]" && !first) break;
      first = false;
      const lo = this.classAtom();
      if (typeof lo !== "number") {
        b = union(b, lo);
        continue;
      }
      if (s[this.i] === "-" && s[this.i + 1] !== "]" && this.i + 1 < s.length) {
        this.i++;
        const hi = this.classAtom();
        if (typeof hi === "number") addRange(b, lo, hi);
        else {
          addCode(b, lo);
          addCode(b, 45);
          b = union(b, hi);
        }
      } else addCode(b, lo);
    }
    if (s[this.i] !== "]") throw new Error("unterminated character class");
    this.i++;
    return { kind: "chars", set: negate ? invert(b) : b };
  }

  private classAtom(): number | CharBits {
    const s = this.src;
    const c = s[this.i]!;
    if (c !== "\\") {
      this.i++;
      return c.charCodeAt(0);
    }
    const e = s[this.i + 1] ?? "";
    this.i += 2;
    const cls = classEscape(e);
    if (cls) return cls;
    if (e === "b") return 8;
    const bits = this.escapedCode(e);
    for (let code = 0; code < 128; code++) if ((bits.bits[code >> 5]! & (1 << (code & 31))) !== 0) return code;
    return bits;
  }
}

export function parseRegex(source: string, flags = ""): Node {
  return new Parser(source, flags.includes("s")).parse();
}
