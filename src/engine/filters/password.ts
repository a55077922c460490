/**
 * The value test of rules whose place holds nothing but a password (`secret.password: true`, issue 17): the
 * `password` line of `.netrc`, the last field of a `.pgpass` line, `<password>` in Maven's settings.xml, WordPress's
 * `DB_PASSWORD`. There a human-chosen password counts however short or guessable it looks (`hunter2`,
 * `Summer2024!`), so neither entropy nor the randomness test applies. What is not a password: an empty value, a
 * reference to one kept elsewhere (`${DB_PASS}`, `$PASSWORD`, `%PASS%`, `{{ .Values.password }}`, `<%= ENV[…] %>`,
 * `#{…}`, `@@…@@`, `env(…)`), a mask (`***`, `xxxx`), a placeholder (`<password>`, `your_password`,
 * `password_here`, `put your unique phrase here`) and a documented default (`changeme`, `password`, `secret`,
 * `root`, `postgres`, `guest`… the values the tools' own documentation and sample files ship with).
 */
import { isPlaceholder } from "./placeholder.js";

/**
 * Exact values (case-insensitive) that are placeholders or documented defaults: the samples of wp-config-sample.php
 * (`password_here`), Laravel/Homestead (`secret`), Docker images (`postgres`, `mysql`, `root`, `guest`, `example`),
 * XAMPP/MAMP (`root`), RabbitMQ (`guest`), SQL Server samples (`sa`), and the usual fill-ins.
 */
const DEFAULTS = new Set([
  "password", "passwd", "pass", "pwd", "pw", "secret", "changeme", "change_me", "change-me", "changeit", "none", "null",
  "nil", "undefined", "empty", "todo", "tbd", "fixme", "xxx", "test", "testing", "example", "sample", "dummy", "fake",
  "placeholder", "redacted", "hidden", "masked", "default", "root", "toor", "admin", "administrator", "postgres",
  "mysql", "guest", "sa", "user", "username", "demo", "qwerty", "letmein", "123", "1234", "12345", "123456",
  "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "mypassword", "yourpassword", "your_password",
  "your-password", "password_here", "passwordhere", "secret_here", "token", "your_token", "apikey", "api_key",
  "mysecret", "supersecret", "somepassword", "dbpassword", "db_password", "unused", "n/a", "na", "-", ".", "?",
  "true", "false", "yes", "no", "on", "off", "mysecretpassword", "secretpassword", "supersecretpassword",
  "keyboard cat", "s3cr3t", "secret123", "password!", "1234567890", "abc123", "pass123", "pass1234",
]);

/** A reference to a value kept elsewhere, or template syntax around one. */
const REFERENCE =
  /^(?:\$\{[^}]*\}?|\$\(?[A-Za-z_][A-Za-z0-9_.]*\)?|%[A-Za-z_][A-Za-z0-9_]*%|\{\{.*|\{%.*|<%.*|#\{.*|@@?[A-Za-z_][A-Za-z0-9_]*@@?|(?:env|getenv|os\.getenv|ENV|process\.env)\b.*|\[[A-Z_][A-Z0-9_]*\]|<[^<>]{0,64}>)$/;

export function isPasswordPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0 || /^[^A-Za-z0-9]$/.test(v)) return true; // a lone `$`, `-`, `*`: the start of a reference or a mask
  if (DEFAULTS.has(v.toLowerCase())) return true;
  if (REFERENCE.test(v)) return true;
  // The first word of a longer fill-in cut at a space (`<your PyPI token>`, `[your password]`).
  if (/^[<[](?:[A-Za-z_ -]|$)/.test(v)) return true;
  // Masks: one character repeated (`***`, `xxxx`, `....`).
  if (/^(.)\1{2,}$/.test(v) && !/^[A-Za-z0-9]$/.test(v[0]!)) return true;
  if (/^[xX*.]{3,}$/.test(v)) return true;
  // A fragment of code rather than a value: a string closed and continued (`', [`, `" + x + "`, `'),`).
  if (/["'`][ \t]{0,8}[,+)\]]|[,+(\[][ \t]{0,8}["'`]/.test(v)) return true;
  // A `<word>` fill-in inside a value (`django-insecure-<key>`, `prefix-<your token>`).
  if (/<[a-z][a-z_ -]{0,39}>/.test(v)) return true;
  // Documentation fill-ins inside a value: `xxxx`, `****`, `...`, `…`, `EXAMPLE`.
  if (/x{4}|\*{3}|\.{3}|…|EXAMPLE/i.test(v) && !/^[A-Za-z0-9+/]{16,}={0,2}$/.test(v)) return true;
  return isPlaceholder(v, { human: true });
}
