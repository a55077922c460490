/**
 * Credential columns of SQL dumps (issue 17, `extract: { kind: sql-column }`): a leaked `users.sql` holds
 * `INSERT INTO users (id, email, password) VALUES (1, 'a@example.com', 'hunter2'), (…);` or, from pg_dump,
 * `COPY public.users (id, email, password) FROM stdin;` followed by tab-separated rows. No regex can tell the third
 * value of a tuple from the second, so a rule names the columns and this reads the statement: the matcher's regex
 * (STATEMENT_HEADS) finds the head and captures its column list; `sqlCells` maps the wanted columns to their index
 * and returns each row's cell at that index. mysqldump writes `INSERT INTO \`users\` VALUES (…)` with no column
 * list by default: the columns are then read from the table's `CREATE TABLE` earlier in the dump. Values that are password hashes (bcrypt, argon2, crypt, PBKDF2, hex or
 * base64 digests…) are not plaintext and are left to the password-hash rules.
 *
 * Bounded: at most MAX_ROWS rows and MAX_SCAN characters per statement; a malformed row ends the statement.
 */

/** `insert-table`: an INSERT without a column list (mysqldump's default): the columns come from its CREATE TABLE. */
export type SqlStatement = "insert" | "insert-table" | "copy";

/** The statement heads, as matcher regexes (flags `gdi`): the `secret` group is the column list. */
export const STATEMENT_HEADS: ReadonlyArray<{ statement: SqlStatement; source: string; keywords: string[] }> = [
  {
    statement: "insert",
    source: "(?<![a-z0-9_])insert[ \\t]{1,16}(?:ignore[ \\t]{1,16})?into[ \\t]{1,16}[^\\s(]{1,128}[ \\t]{0,16}\\((?<secret>[^()]{1,4000})\\)\\s{0,16}values?\\s{0,16}",
    keywords: ["insert"],
  },
  {
    statement: "insert-table",
    source: "(?<![a-z0-9_])insert[ \\t]{1,16}(?:ignore[ \\t]{1,16})?into[ \\t]{1,16}(?<secret>[^\\s(]{1,128})[ \\t]{0,16}values?\\s{0,16}(?=\\()",
    keywords: ["insert"],
  },
  {
    statement: "copy",
    source: "(?<![a-z0-9_])copy[ \\t]{1,16}[^\\s(]{1,128}[ \\t]{0,16}\\((?<secret>[^()]{1,4000})\\)[ \\t]{1,16}from[ \\t]{1,16}stdin;[ \\t]{0,16}\\r?\\n",
    keywords: ["stdin"],
  },
];

export const MAX_ROWS = 100_000;
export const MAX_SCAN = 8 * 1024 * 1024;

export interface Cell {
  start: number;
  end: number;
  value: string;
  column: string;
}

/** A password hash in one of the usual stored forms: not a plaintext password. */
const PASSWORD_HASH =
  /^(?:\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}|\$(?:argon2(?:id|i|d)|[1256]|y|gy|7|scrypt|pbkdf2(?:-sha\d+)?)\$\S+|\$[PH]\$[./A-Za-z0-9]{31}|(?:pbkdf2_sha\d+|bcrypt(?:_sha256)?|argon2|sha1|sha256|sha512|md5|scrypt|crypt|unsalted_\w+)[$:]\S+|\{[A-Z0-9-]{2,16}\}\S+|[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}|\*[0-9A-Fa-f]{40}|[A-Za-z0-9+/]{27}=|[A-Za-z0-9+/]{43}=|[A-Za-z0-9+/]{86}==)$/;

export function isPasswordHash(value: string): boolean {
  return PASSWORD_HASH.test(value);
}

/** The column names of a head's list, lowercase, quotes and brackets removed. */
function columnNames(list: string): string[] {
  return list.split(",").map((c) => c.trim().replace(/^[`"[]|[`"\]]$/g, "").toLowerCase());
}

/**
 * The cells of the wanted columns in the statement whose head matched: `list` is its column list, `from` the offset
 * just after the head (after `VALUES`, or after the `COPY … FROM stdin;` line).
 */
export function sqlCells(text: string, statement: SqlStatement, list: string, from: number, wanted: ReadonlySet<string>): Cell[] {
  const names = statement === "insert-table" ? tableColumns(text, list, from) : columnNames(list);
  const at = new Map<number, string>();
  names.forEach((n, i) => {
    if (wanted.has(n)) at.set(i, n);
  });
  if (at.size === 0) return [];
  return statement === "copy" ? copyRows(text, from, at) : insertRows(text, from, at);
}

const CONSTRAINT = /^(?:primary|key|unique|constraint|index|foreign|check|fulltext|spatial|period|exclude)\b/i;
const MAX_CREATE = 64 * 1024;

/** Tables already read, for the text last asked about (a dump may hold one INSERT per row). */
let known: { text: string; tables: Map<string, string[]> } | undefined;

/** Drop the tables kept for the last text (scanText calls this when it is done with a text). */
export function forgetTables(): void {
  known = undefined;
}

/** The column names of `table` as its last CREATE TABLE before `before` declares them (none when there is none). */
function tableColumns(text: string, table: string, before: number): string[] {
  if (known?.text !== text) known = { text, tables: new Map() };
  let columns = known.tables.get(table);
  if (columns === undefined) known.tables.set(table, (columns = readTableColumns(text, table, before)));
  return columns;
}

function readTableColumns(text: string, table: string, before: number): string[] {
  const name = table.split(".").pop()!.replace(/^[`"[]|[`"\]]$/g, "");
  if (!/^[A-Za-z0-9_$-]{1,64}$/.test(name)) return [];
  const head = new RegExp(`create[ \\t]{1,16}table[ \\t]{1,16}(?:if[ \\t]{1,16}not[ \\t]{1,16}exists[ \\t]{1,16})?(?:[\`"[]?[A-Za-z0-9_$-]{1,64}[\`"\\]]?\\.)?[\`"[]?${name.replace(/[$-]/g, "\\$&")}[\`"\\]]?[ \\t]{0,16}\\(`, "gi");
  let body = -1;
  for (let m = head.exec(text); m !== null && m.index < before; m = head.exec(text)) body = m.index + m[0].length;
  if (body < 0) return [];
  const out: string[] = [];
  for (const line of text.slice(body, Math.min(before, body + MAX_CREATE)).split("\n")) {
    const t = line.trim();
    if (t.startsWith(")")) break;
    if (t === "" || t.startsWith("--") || CONSTRAINT.test(t)) continue;
    const m = /^[`"[]?([A-Za-z_][A-Za-z0-9_$]{0,63})[`"\]]?\s/.exec(t);
    if (m) out.push(m[1]!.toLowerCase());
  }
  return out;
}

function copyRows(text: string, from: number, at: ReadonlyMap<number, string>): Cell[] {
  const out: Cell[] = [];
  const limit = Math.min(text.length, from + MAX_SCAN);
  let line = from;
  for (let rows = 0; line < limit && rows < MAX_ROWS; rows++) {
    let eol = text.indexOf("\n", line);
    if (eol === -1 || eol > limit) eol = limit;
    const end = eol > line && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (text.startsWith("\\.", line) && end - line === 2) break;
    let cellStart = line;
    let index = 0;
    for (let i = line; i <= end; i++) {
      if (i < end && text.charCodeAt(i) !== 9) continue;
      const column = at.get(index);
      if (column !== undefined && i > cellStart) {
        const value = text.slice(cellStart, i);
        if (value !== "\\N") out.push({ start: cellStart, end: i, value, column });
      }
      index++;
      cellStart = i + 1;
    }
    line = eol + 1;
  }
  return out;
}

function insertRows(text: string, from: number, at: ReadonlyMap<number, string>): Cell[] {
  const out: Cell[] = [];
  const limit = Math.min(text.length, from + MAX_SCAN);
  let i = skipSpace(text, from, limit);
  for (let rows = 0; rows < MAX_ROWS && i < limit && text.charCodeAt(i) === 40; rows++) {
    // One tuple: fields at depth 0, separated by commas; quoted strings with '' or \' escapes.
    i++;
    let index = 0;
    let depth = 0;
    let done = false;
    while (i < limit && !done) {
      i = skipSpace(text, i, limit);
      const c = text.charCodeAt(i);
      if (c === 39 || c === 34) {
        const open = i;
        i++;
        while (i < limit) {
          const d = text.charCodeAt(i);
          if (d === 92) i += 2;
          else if (d === c && text.charCodeAt(i + 1) === c) i += 2;
          else if (d === c) break;
          else i++;
        }
        const column = at.get(index);
        if (column !== undefined && depth === 0 && i > open + 1 && i < limit) out.push({ start: open + 1, end: i, value: text.slice(open + 1, i), column });
        i++;
        continue;
      }
      if (c === 40) depth++;
      else if (c === 41) {
        if (depth === 0) done = true;
        else depth--;
      } else if (c === 44 && depth === 0) index++;
      i++;
    }
    if (!done) break;
    i = skipSpace(text, i, limit);
    if (text.charCodeAt(i) !== 44) break; // `;` or anything else ends the statement
    i = skipSpace(text, i + 1, limit);
  }
  return out;
}

function skipSpace(text: string, i: number, limit: number): number {
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}
