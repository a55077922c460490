/**
 * `secret.names` (issue 18): a rule that matches a value assigned to one of many names (the generic assignment
 * rule: password, client_secret, api_key…) lists the names, and its pattern says where they go with `{{names}}`,
 * instead of carrying a hand-built alternation thousands of characters long. Each name is written in lowercase
 * snake_case and becomes every spelling code uses for it: snake_case, kebab-case, camelCase and PascalCase (the
 * first letter of each word in either case, `-`, `_` or nothing between words) and UPPER_CASE (`_` or nothing
 * between words). The alternatives are grouped by first letter (`[Aa](?:pi[_-]?[Kk]ey|PI_?KEY|…)`), which V8
 * scans much faster than a flat list, and longest first within a group, so that a longer name wins over a name that
 * is its prefix (`passwd` before `pass`).
 */

export const NAMES_PLACEHOLDER = "{{names}}";

/** A name as `secret.names` takes it: lowercase words of letters and digits, starting with a letter, joined by `_`. */
export const NAME_FORMAT = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** The non-capturing group that matches every spelling of every name (see the header). */
export function namesAlternation(names: readonly string[]): string {
  const groups = new Map<string, Set<string>>();
  for (const name of names) {
    const words = name.split("_");
    const first = words[0]!;
    const mixed = first.slice(1) + words.slice(1).map((w) => `[_-]?${letterClass(w[0]!)}${w.slice(1)}`).join("");
    const upper = first.slice(1).toUpperCase() + words.slice(1).map((w) => `_?${w.toUpperCase()}`).join("");
    const group = groups.get(first[0]!) ?? new Set<string>();
    group.add(mixed).add(upper);
    groups.set(first[0]!, group);
  }
  const parts = [...groups.keys()].sort().map((letter) => {
    // Longest first (equal lengths in code-unit order, to be deterministic).
    const rests = [...groups.get(letter)!].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
    return `${letterClass(letter)}(?:${rests.join("|")})`;
  });
  return `(?:${parts.join("|")})`;
}

/** The pattern with every `{{names}}` replaced by the names' alternation. */
export function expandNames(pattern: string, names: readonly string[]): string {
  return pattern.split(NAMES_PLACEHOLDER).join(namesAlternation(names));
}

function letterClass(ch: string): string {
  return /[a-z]/.test(ch) ? `[${ch.toUpperCase()}${ch}]` : ch;
}
