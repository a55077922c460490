/**
 * Interned git object ids in compact typed storage (issue 21: history state that does not grow with strings). An id
 * is kept as its raw bytes (20 for SHA-1, 32 for SHA-256) in one growable byte array, found again through an
 * open-addressing hash table of Int32s: ~28 bytes per SHA-1 id at the table's fullest, against ~120 for a 40-character
 * string key in a Map plus its slot in an array of values (measured, test/regression/issue-21-history-state.test.ts
 * prints both). Ids are numbered in the order they were first interned; `hex(i)` rebuilds the string on demand.
 */

const HEX = "0123456789abcdef";
/** Nibble value of each character code (-1: not a lowercase or uppercase hex digit). */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE[HEX.charCodeAt(i)] = i;
  NIBBLE[HEX.toUpperCase().charCodeAt(i)] = i;
}

export class OidTable {
  /** Bytes per id: fixed by the first id interned (git repositories use one hash function throughout). */
  private width = 0;
  private bytes = new Uint8Array(0);
  /** Slot -> id + 1 (0: empty); its size is a power of two, at most half full. */
  private slots = new Int32Array(1024);
  private readonly scratch = new Uint8Array(32);
  private count = 0;
  /** With `indexed` false the table only stores (push/hex), for lists that are never looked up (commits). */
  constructor(private readonly indexed = true) {}

  get length(): number {
    return this.count;
  }

  /** The raw bytes of `hex` into the scratch buffer; false when it is not an object id of this table's width. */
  private parse(hex: string): boolean {
    const width = hex.length >> 1;
    if ((width !== 20 && width !== 32) || hex.length & 1) return false;
    if (this.width === 0) this.width = width;
    if (width !== this.width) return false;
    for (let i = 0; i < width; i++) {
      const hi = NIBBLE[hex.charCodeAt(2 * i)] ?? -1;
      const lo = NIBBLE[hex.charCodeAt(2 * i + 1)] ?? -1;
      if (hi < 0 || lo < 0) return false;
      this.scratch[i] = (hi << 4) | lo;
    }
    return true;
  }

  /** Slot of the scratch id: where it is, or the empty slot where it would go. */
  private find(): number {
    const w = this.width;
    const s = this.scratch;
    const mask = this.slots.length - 1;
    // The id's bytes are already uniformly distributed: its first four make the hash.
    let slot = ((s[0]! << 24) | (s[1]! << 16) | (s[2]! << 8) | s[3]!) & mask;
    for (;;) {
      const at = this.slots[slot]!;
      if (at === 0) return slot;
      const base = (at - 1) * w;
      let same = true;
      for (let i = 0; i < w; i++) {
        if (this.bytes[base + i] !== s[i]) {
          same = false;
          break;
        }
      }
      if (same) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private append(): number {
    const w = this.width;
    if ((this.count + 1) * w > this.bytes.length) {
      const next = new Uint8Array(Math.max(1024 * w, this.bytes.length * 2));
      next.set(this.bytes);
      this.bytes = next;
    }
    this.bytes.set(this.scratch.subarray(0, w), this.count * w);
    return this.count++;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length - 1;
    const w = this.width;
    for (let id = 0; id < this.count; id++) {
      const b = id * w;
      let slot = ((this.bytes[b]! << 24) | (this.bytes[b + 1]! << 16) | (this.bytes[b + 2]! << 8) | this.bytes[b + 3]!) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = id + 1;
    }
  }

  /** Id of `hex`, and whether it was new. Throws on a string that is not an object id. */
  intern(hex: string): [number, boolean] {
    if (!this.parse(hex)) throw new TypeError(`not a git object id: ${JSON.stringify(hex.slice(0, 80))}`);
    if (!this.indexed) return [this.append(), true];
    const slot = this.find();
    const at = this.slots[slot]!;
    if (at !== 0) return [at - 1, false];
    const id = this.append();
    this.slots[slot] = id + 1;
    if (this.count * 2 > this.slots.length) this.grow();
    return [id, true];
  }

  /** Intern and return the id (an unindexed table appends: every call is a new entry). */
  push(hex: string): number {
    return this.intern(hex)[0];
  }

  /** Id of `hex` if interned. */
  id(hex: string): number | undefined {
    if (!this.indexed) throw new Error("OidTable: id() on a table built without an index");
    if (!this.parse(hex)) return undefined;
    const at = this.slots[this.find()]!;
    return at === 0 ? undefined : at - 1;
  }

  /** The hex string of id `i`. */
  hex(i: number): string {
    if (i < 0 || i >= this.count) throw new RangeError(`object id index ${i} out of range (${this.count})`);
    let out = "";
    const base = i * this.width;
    for (let k = 0; k < this.width; k++) {
      const b = this.bytes[base + k]!;
      out += HEX[b >> 4]! + HEX[b & 15]!;
    }
    return out;
  }

  /** Every id's hex string, in order. */
  *[Symbol.iterator](): IterableIterator<string> {
    for (let i = 0; i < this.count; i++) yield this.hex(i);
  }

  /** Bytes held (storage and index), for benches and tests. */
  get byteSize(): number {
    return this.bytes.byteLength + (this.indexed ? this.slots.byteLength : 0);
  }
}
