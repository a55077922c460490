/**
 * Rules scoped to file names (issue 17): a credential file (`.netrc`, `.pgpass`, `settings.xml`, `.npmrc`…) is
 * recognised by its name first, so its rule can accept any password in it, however short, without firing on the
 * same words in ordinary code. A rule's `paths:` globs compile here into one case-insensitive regex, tested against
 * the item's path with `/` separators: a glob without `/` names a file anywhere (`.netrc`, `*.tfvars`), one with `/`
 * a path suffix starting at a directory boundary (`.docker/config.json`, `.gem/credentials`). `*` matches within a
 * name, `**` across directories, `?` one character, `{a,b}` alternatives. The scan passes each item's path to the
 * matcher core (scan-text.ts), which runs a path-scoped rule only where its regex matches.
 */
import { KeyscanError } from "../errors.js";

function globBody(glob: string, where: string): string {
  let out = "";
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        // `**/` is any number of directories (none included); a bare `**` anything.
        if (glob[i + 2] === "/") {
          out += "(?:[^/]{0,255}/){0,64}";
          i += 2;
        } else {
          out += ".{0,4096}";
          i += 1;
        }
      } else out += "[^/]{0,255}";
    } else if (c === "?") out += "[^/]";
    else if (c === "{") {
      braces++;
      out += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      out += ")";
    } else if (c === "," && braces > 0) out += "|";
    else if (c === "\\") throw new KeyscanError("E_RULE", `${where}: write path globs with '/', not '\\' (\`${glob}\`).`);
    else out += c.replace(/[.+^${}()|[\]]/g, "\\$&");
  }
  if (braces !== 0) throw new KeyscanError("E_RULE", `${where}: unbalanced '{' in the path glob \`${glob}\`.`);
  return out;
}

/** One regex for a rule's `paths` globs (see the module comment). */
export function compilePathGlobs(globs: readonly string[], where: string): RegExp {
  const parts = globs.map((g) => globBody(g.replace(/^(?:\*\*\/)+/, "").replace(/^\.\//, ""), where));
  return new RegExp(`(?:^|/)(?:${parts.join("|")})$`, "i");
}

/** The path as path-scoped rules see it: `/` separators (Windows paths and git's are both accepted). */
export function scopePath(path: string): string {
  return path.includes("\\") ? path.replace(/\\/g, "/") : path;
}
