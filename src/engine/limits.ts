/**
 * The bounds the matcher core works within, shared by the compiler (which proves matches fit them), the matcher
 * (scan-text.ts) and windowed matching (regex/windows.ts): here so that each can import them without importing the
 * others.
 */

/** Texts longer than this are matched in overlapping slices of this size. */
export const SLICE_SIZE = 1 << 20;
/** Cap on a slice overlap (a matcher's longest match plus its lookaround context). */
export const MAX_OVERLAP = 64 * 1024;
/** `near` words and line-based allow checks look at most this far (characters) either side of a match. */
export const NEAR_RADIUS = 4096;
