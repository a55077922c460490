// Issue 17: the SQL dump extractor (src/engine/sql-columns.ts) — column index to cell, quoting, NULLs, the
// CREATE TABLE fallback, hashes told from plaintext, and its bounds.
import { describe, expect, it } from "vitest";
import { MAX_ROWS, isPasswordHash, sqlCells } from "../../src/engine/sql-columns.js";
import { analyseRegex } from "../../src/engine/regex/analyse.js";
import { STATEMENT_HEADS } from "../../src/engine/sql-columns.js";

const wanted = new Set(["password"]);
const values = (text: string, list: string, statement: "insert" | "insert-table" | "copy" = "insert") =>
  sqlCells(text, statement, list, text.indexOf("VALUES") >= 0 ? text.indexOf("VALUES") + 6 : text.indexOf("\n") + 1, wanted).map((c) => c.value);

describe("sql-columns", () => {
  it("statement heads are bounded and free of backtracking risks", () => {
    for (const h of STATEMENT_HEADS) {
      const a = analyseRegex(h.source, "gdi");
      expect(a.risks, h.statement).toEqual([]);
      expect(a.unbounded, h.statement).toBe(false);
    }
  });

  it("reads the wanted column of every tuple, through quotes, escapes, calls and NULLs", () => {
    const text = "INSERT INTO u (id, note, password) VALUES (1, 'a, (b)', 'p1''x'), (2, CONCAT('x', 'y'), 'p2\\'y'), (3, NULL, NULL), (4, '', \"p4\");";
    expect(values(text, "id, note, password")).toEqual(["p1''x", "p2\\'y", "p4"]);
    expect(values(text, "id, note, email")).toEqual([]);
  });

  it("reads COPY rows up to \\. and skips \\N", () => {
    const text = "COPY u (id, password) FROM stdin;\n1\tp1\n2\t\\N\n\\.\n3\tafter\n";
    expect(values(text, "id, password", "copy")).toEqual(["p1"]);
  });

  it("takes an INSERT without a column list from the table's CREATE TABLE", () => {
    const text = "CREATE TABLE `u` (\n  `id` int,\n  `password` varchar(64),\n  PRIMARY KEY (`id`)\n);\nINSERT INTO `u` VALUES (1,'p1'),(2,'p2');\n";
    const from = text.indexOf("VALUES") + 6;
    expect(sqlCells(text, "insert-table", "`u`", from, wanted).map((c) => c.value)).toEqual(["p1", "p2"]);
    expect(sqlCells(text, "insert-table", "`v`", from, wanted)).toEqual([]);
  });

  it("stops after MAX_ROWS rows", () => {
    const text = `INSERT INTO u (password) VALUES ${Array.from({ length: MAX_ROWS + 10 }, (_, i) => `('p${i}')`).join(",")};`;
    expect(values(text, "password")).toHaveLength(MAX_ROWS);
  });

  it("tells stored hashes from plaintext", () => {
    for (const h of [
      "$2b$12$KIXQJQ1s0.e0Xo3fVt1xUe0t4m2bqQ3kz9G6vT8u2cO6yW2eB4xkS",
      "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
      "$6$rounds=5000$salt$hash",
      "pbkdf2_sha256$600000$salt$hash=",
      "{SSHA}aGFzaHNhbHQ=",
      "5f4dcc3b5aa765d61d8327deb882cf99",
      "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19",
      "$P$BZlPX7NIx8MYpXokBW2AGsN7i.aUOt0",
    ]) expect(isPasswordHash(h), h).toBe(true);
    for (const p of ["hunter2", "Summer2024!", "correct horse battery staple"]) expect(isPasswordHash(p), p).toBe(false);
  });
});
