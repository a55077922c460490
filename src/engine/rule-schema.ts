/**
 * The shape of a provider rule file (`rules/<provider>.yaml`), as a zod schema. This is the one definition of the
 * format: the loader validates every file against it (errors name the file, line and field), `keyscan rules schema`
 * prints it as JSON Schema for editors, and docs/rules.md explains each field. Field names are snake_case because
 * they are written by people in YAML; the compiled, camelCase form lives in rule.ts.
 */
import { z } from "zod";
import { TEMPLATE_PLACEHOLDER } from "./template-placeholder.js";
import { PARSERS } from "./filters/parse.js";
import { NAME_FORMAT, NAMES_PLACEHOLDER, expandNames } from "./names.js";

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export const CHECKSUMS = ["github-crc32"] as const;

const nonEmpty = z.string().min(1);

/** Words that must appear within `within_lines` lines of a match; `hosts` stands for the provider's hosts. */
const nearSchema = z.union([z.literal("hosts"), z.array(nonEmpty).min(1)]);

const contextFields = {
  /** Context words (case-insensitive) required near the match, or `hosts` for the provider's API hosts. */
  near: nearSchema.optional(),
  /** How many lines above and below the match the `near` words may be (default 6). */
  within_lines: z.number().int().min(0).max(200).optional(),
  /** `format` (default): the value must have the rule's secret format; `any`: any token-like value. */
  value: z.enum(["format", "any"]).optional(),
};

export const headerUsageSchema = z
  .object({
    /** HTTP header name, e.g. `api-key`, `x-api-key`, `Authorization` (case-insensitive; `-` and `_` interchangeable). */
    header: nonEmpty,
    /** Auth scheme that precedes the value, e.g. `Bearer`. */
    scheme: nonEmpty.optional(),
    ...contextFields,
  })
  .strict();

export const envUsageSchema = z
  .object({
    /** Environment variable or config key names, e.g. `GETIMG_API_KEY` (case-insensitive; prefixes such as `NEXT_PUBLIC_` allowed). */
    env: z.array(nonEmpty).min(1),
    ...contextFields,
  })
  .strict();

export const sdkUsageSchema = z
  .object({
    /** SDK constructor or factory names, e.g. `GetimgAI` (matches `new X("…")`, `X({ apiKey: "…" })`, `X(api_key="…")`). */
    sdk: z.array(nonEmpty).min(1),
    ...contextFields,
  })
  .strict();

export const attrUsageSchema = z
  .object({
    /** HTML attribute carrying the key, e.g. `api-key` in `<script … api-key="…">`. */
    attr: nonEmpty,
    ...contextFields,
  })
  .strict();

export const usageSchema = z.union([headerUsageSchema, envUsageSchema, sdkUsageSchema, attrUsageSchema]);

export const secretFormatSchema = z
  .object({
    /** JS regular expression for the secret itself; may contain a `(?<secret>…)` group, else the whole match is the secret. */
    pattern: nonEmpty,
    /** Literal strings (case-insensitive) at least one of which appears in every standalone match; feeds the prefilter. */
    keywords: z.array(nonEmpty).optional(),
    /**
     * Literal strings (case-insensitive) of which every standalone match holds one, beside its keywords: the format
     * runs only in a text where one of them occurs too (issue 16: `</` for an XML element form, whose name keywords
     * are common words). Proved from the pattern at load; a pattern that does not prove it is an error.
     */
    requires: z.array(nonEmpty).optional(),
    /** Match the format on its own, anywhere (true), only with context words near it ({near, within_lines}), or never (false: usages only). */
    standalone: z
      .union([
        z.boolean(),
        z.object({ near: nearSchema, within_lines: z.number().int().min(0).max(200).optional() }).strict(),
      ])
      .optional(),
    /** Minimum Shannon entropy (bits per character) of the secret. */
    min_entropy: z.number().min(0).max(8).optional(),
    /** Offline checksum the secret must pass. */
    checksum: z.enum(CHECKSUMS).optional(),
    /** Require a non-word character (or start/end) on both sides of a standalone match (default true). */
    boundary: z.boolean().optional(),
    /** Case-insensitive pattern. */
    ignore_case: z.boolean().optional(),
    /** The value must pass the randomness test (p-random: not words, versions, paths, UUIDs…); for generic rules. */
    random: z.boolean().optional(),
    /** Offline structure check that also adds details to the finding: `jwt` (issuer, expiry…), `basic-auth` (user). */
    parse: z.enum(PARSERS).optional(),
    /**
     * The value sits where only a password goes (a credential file's password field): any value counts, however
     * short or guessable, except empty values, references (`${X}`), masks, placeholders and documented defaults
     * (src/engine/filters/password.ts). Use with `paths` or a structural pattern, never on loose names.
     */
    password: z.boolean().optional(),
    /**
     * Names a value may be assigned to, in lowercase snake_case (`client_secret`); `{{names}}` in `pattern` stands
     * for all of them in every case style (snake, kebab, camel, Pascal, UPPER), longest first (engine/names.ts).
     */
    names: z.array(z.string().regex(NAME_FORMAT, "use lowercase snake_case: letters and digits, words joined by '_'")).min(1).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const uses = f.pattern.includes(NAMES_PLACEHOLDER);
    if (uses && f.names === undefined) ctx.addIssue({ code: "custom", path: ["pattern"], message: `\`${NAMES_PLACEHOLDER}\` needs a \`names\` list beside the pattern` });
    if (!uses && f.names !== undefined) ctx.addIssue({ code: "custom", path: ["names"], message: `\`names\` is only used through \`${NAMES_PLACEHOLDER}\` in the pattern, which has none` });
    const seen = new Set<string>();
    (f.names ?? []).forEach((n, i) => {
      if (seen.has(n)) ctx.addIssue({ code: "custom", path: ["names", i], message: `\`${n}\` is listed twice` });
      seen.add(n);
    });
  })
  // The validated spec carries the expanded pattern (and no `names`): everything after the schema sees one regex.
  .transform(({ names, ...f }) => (names === undefined ? f : { ...f, pattern: expandNames(f.pattern, names) }));

/** A value that may be a literal string or a generator template such as `key-{alnum:96}` (see engine/template.ts). */
export const exampleSchema = z.union([
  nonEmpty,
  z
    .object({
      /** Text to scan; `{{secret}}` is replaced by the generated secret. */
      text: nonEmpty,
      /** The secret: a literal or a template like `{hex:32}`; generated at test time so no real-looking key is committed. */
      secret: nonEmpty.optional(),
      /** The file the text is scanned as (e.g. `home/.netrc`); required for a rule scoped by `paths`. */
      path: nonEmpty.optional(),
    })
    .strict(),
]);

const statusMatchSchema = z
  .object({
    /** HTTP statuses that select this outcome. */
    status: z.array(z.number().int().min(100).max(599)).min(1),
    /** JSON fields (dot paths) and the exact values they must have, e.g. `{ valid: true }`. */
    json: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    /** Substrings the body must contain. */
    body_contains: z.array(nonEmpty).optional(),
  })
  .strict();

/**
 * A companion value the verify request needs besides the secret (a shop domain, an account id), and where the scan
 * finds it: `rule` — the secret of another rule's finding in the same text, or `pattern` — a regex (with a
 * `(?<value>…)` group, else the whole match) near the secret; the nearest match within `within_lines` lines wins.
 * A bare string names a companion with no source: such a rule always verifies as `unknown`.
 */
export const companionSchema = z
  .object({
    /** Name used in templates as `{{companion.NAME}}`. */
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "use letters, digits and '_' (starting with a letter)"),
    /** What the value is, for messages, e.g. `shop domain`. */
    description: z.string().optional(),
    /** Id of another rule whose finding (within `within_lines`) supplies the value. */
    rule: nonEmpty.optional(),
    /** JS regex that finds the value near the secret; its `(?<value>…)` group (or whole match) is the value. */
    pattern: nonEmpty.optional(),
    /** How many lines above and below the secret the value may be (default 6). */
    within_lines: z.number().int().min(0).max(200).optional(),
  })
  .strict()
  .refine((c) => (c.rule === undefined) !== (c.pattern === undefined), { message: "a companion needs exactly one of `rule` or `pattern`" });

const outcomeSchema = z.union([statusMatchSchema, z.array(statusMatchSchema).min(1)]);

/** `{{secret}}` and `{{companion.NAME}}` are the only template placeholders. */
export { TEMPLATE_PLACEHOLDER };

export const verifySchema = z
  .object({
    request: z
      .object({
        method: z.enum(["GET", "HEAD", "POST"]),
        /** HTTPS URL on one of the provider's hosts; may use `{{secret}}` and `{{companion.NAME}}` (URL-encoded). */
        url: nonEmpty,
        /** Header values may use the placeholders (CR/LF in a value is refused). */
        headers: z.record(z.string(), z.string()).optional(),
        /** Body; placeholders are JSON-escaped for a JSON Content-Type, URL-encoded for a form, else inserted as is. */
        body: z.string().optional(),
        /**
         * HTTP Basic credentials, sent as `Authorization: Basic base64(username:password)`; both may use the
         * placeholders (e.g. `{ username: '{{secret}}', password: '' }` for a key sent as the Basic user name).
         */
        basic_auth: z.object({ username: z.string(), password: z.string() }).strict().optional(),
        /** Required for POST: a statement that this POST reads and changes nothing, costs nothing. */
        read_only: z.boolean().optional(),
      })
      .strict(),
    /** The answer that means "live": statuses plus optional JSON field values and body markers (a list: any of them). */
    verified: outcomeSchema,
    /** The answer that means "revoked or fake"; anything matching neither is `unknown`. */
    invalid: outcomeSchema.optional(),
    /** JSON fields (dot paths) copied into the report; never the secret. */
    extract: z.array(nonEmpty).optional(),
    /** Companion values the request needs (e.g. a shop domain); without them the result is `unknown`. */
    companions: z.array(z.union([nonEmpty, companionSchema])).optional(),
    /** Free-text note on why this endpoint is safe (read-only, free). */
    note: z.string().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const names = new Set((v.companions ?? []).map((c) => (typeof c === "string" ? c : c.name)));
    (v.companions ?? []).forEach((c, i) => {
      if (typeof c === "string" || c.pattern === undefined) return;
      try {
        new RegExp(c.pattern, "d");
      } catch (err) {
        ctx.addIssue({ code: "custom", path: ["companions", i, "pattern"], message: `not a valid JavaScript regular expression (${(err as Error).message})` });
      }
    });
    const texts: [string, (string | number)[]][] = [[v.request.url, ["request", "url"]]];
    for (const [k, h] of Object.entries(v.request.headers ?? {})) texts.push([h, ["request", "headers", k]]);
    if (v.request.body !== undefined) texts.push([v.request.body, ["request", "body"]]);
    if (v.request.basic_auth !== undefined) {
      texts.push([v.request.basic_auth.username, ["request", "basic_auth", "username"]]);
      texts.push([v.request.basic_auth.password, ["request", "basic_auth", "password"]]);
    }
    for (const [text, path] of texts) {
      for (const m of text.matchAll(TEMPLATE_PLACEHOLDER)) {
        const name = m[1]!;
        if (name === "secret") continue;
        const companion = /^companion\.(.+)$/.exec(name)?.[1];
        if (companion !== undefined && names.has(companion)) continue;
        ctx.addIssue({
          code: "custom",
          path,
          message: companion !== undefined
            ? `\`{{${name}}}\` names a companion that \`companions\` does not declare`
            : `unknown placeholder \`{{${name}}}\`; use {{secret}} or {{companion.NAME}}`,
        });
      }
    }
  });

// ---- Issue 22: the access map and self-service revocation (the `access` and `revoke_request` blocks) ----
// Kept in their own zod objects, so the verify schema above stays as it is; src/verify/access.ts and revoke.ts run them.

const RESPOND_PLACEHOLDER_CHECK = (texts: [string, (string | number)[]][], ctx: z.RefinementCtx, lookups: readonly string[] = []) => {
  for (const [text, path] of texts) {
    for (const m of text.matchAll(TEMPLATE_PLACEHOLDER)) {
      const name = m[1]!;
      if (name === "secret" || /^companion\.[A-Za-z][A-Za-z0-9_]*$/.test(name)) continue;
      if (/^lookup\./.test(name) && lookups.includes(name.slice(7))) continue;
      ctx.addIssue({ code: "custom", path, message: `unknown placeholder \`{{${name}}}\`; use {{secret}}, {{companion.NAME}}${lookups.length ? " or {{lookup.NAME}} of a declared lookup" : ""}` });
    }
  }
};

function requestTexts(r: { url: string; headers?: Record<string, string> | undefined; body?: string | undefined; basic_auth?: { username: string; password: string } | undefined }, at: (string | number)[]): [string, (string | number)[]][] {
  const texts: [string, (string | number)[]][] = [[r.url, [...at, "url"]]];
  for (const [k, h] of Object.entries(r.headers ?? {})) texts.push([h, [...at, "headers", k]]);
  if (r.body !== undefined) texts.push([r.body, [...at, "body"]]);
  if (r.basic_auth !== undefined) texts.push([r.basic_auth.username, [...at, "basic_auth", "username"]], [r.basic_auth.password, [...at, "basic_auth", "password"]]);
  return texts;
}

const respondRequestFields = {
  /** HTTPS URL on one of the provider's hosts; `{{secret}}` and `{{companion.NAME}}` as in `verify`. */
  url: nonEmpty,
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  basic_auth: z.object({ username: z.string(), password: z.string() }).strict().optional(),
};

/** One read-only request of an access map (GET or HEAD; a POST only with `read_only: true`, as for `verify`). */
export const accessRequestSchema = z
  .object({
    method: z.enum(["GET", "HEAD", "POST"]),
    ...respondRequestFields,
    /** Required for POST: a statement that this POST reads and changes nothing, costs nothing. */
    read_only: z.boolean().optional(),
  })
  .strict();

/**
 * Where a reported value comes from: `PATH` (a JSON dot path in the verify answer), `N:PATH` (in the answer to
 * `requests[N-1]`; `0:` is the verify answer), `header:NAME` / `N:header:NAME` (a response header). A `*` segment
 * maps over an array (`data.*.name` lists names); `length` of an array is its count (`data.length`).
 */
const accessPick = z.string().regex(/^(\d+:)?(header:[A-Za-z0-9-]+|[A-Za-z0-9_$@*-]+(\.[A-Za-z0-9_$@*-]+)*)$/, "use `path.to.field`, `N:path`, `header:NAME` or `N:header:NAME`");
const accessFields = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "use letters, digits and '_'"), accessPick);

export const accessRaiseSchema = z
  .object({
    /** The severity the finding is raised to when this matches. */
    to: z.enum(SEVERITIES),
    /** Scope patterns (`*` wildcard, case-insensitive); any scope matching any of them raises. */
    scopes: z.array(nonEmpty).min(1).optional(),
    /** A reported field, `identity.NAME`, `resources.NAME` or `spend.NAME`, whose value must be one of `equals`. */
    field: z.string().regex(/^(identity|resources|spend)\.[A-Za-z][A-Za-z0-9_]*$/).optional(),
    equals: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
  })
  .strict()
  .refine((r) => (r.scopes !== undefined) !== (r.field !== undefined), { message: "a raise needs exactly one of `scopes` or `field`" })
  .refine((r) => r.field === undefined || r.equals !== undefined, { message: "`field` needs `equals`" });

/**
 * What a live key can reach: read-only requests (none: the verify answer is read) and the fields to report as the
 * key's identity, scopes, notable resources and spend, plus when what it finds raises the finding's severity.
 */
export const accessSchema = z
  .object({
    /** Why these requests are safe (read-only, free) and where the field names come from. */
    note: z.string().optional(),
    /** Extra read-only requests, after the verify request; their answers are `1:`, `2:`, … in the picks. */
    requests: z.array(accessRequestSchema).max(4).optional(),
    /** Who the key acts as: account, user, organisation, project (label → pick). */
    identity: accessFields.optional(),
    /** Scopes or permissions: picks whose values (lists, or strings split on commas and spaces) are scopes. */
    scopes: z.union([accessPick, z.array(accessPick).min(1)]).optional(),
    /** What every key of this kind may do by the provider's docs, when the API does not list scopes. */
    grants: z.array(nonEmpty).optional(),
    /** Notable resources: counts and names (label → pick). */
    resources: accessFields.optional(),
    /** Money: balance, credits, plan (label → pick). */
    spend: accessFields.optional(),
    /** Severity raises, besides the default (a scope or grant naming admin, write, owner, delete or full access → critical). */
    raise: z.array(accessRaiseSchema).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    (a.requests ?? []).forEach((r, i) => {
      if (r.method === "POST" && r.read_only !== true) ctx.addIssue({ code: "custom", path: ["requests", i, "method"], message: "a POST in `access` needs `read_only: true` (a statement that it reads and changes nothing)" });
      RESPOND_PLACEHOLDER_CHECK(requestTexts(r, ["requests", i]), ctx);
    });
    const picks = [...Object.values(a.identity ?? {}), ...Object.values(a.resources ?? {}), ...Object.values(a.spend ?? {}), ...(a.scopes === undefined ? [] : Array.isArray(a.scopes) ? a.scopes : [a.scopes])];
    for (const p of picks) {
      const n = /^(\d+):/.exec(p)?.[1];
      if (n !== undefined && Number(n) > (a.requests?.length ?? 0)) ctx.addIssue({ code: "custom", path: [], message: `\`${p}\` reads answer ${n}, but \`requests\` has ${a.requests?.length ?? 0}` });
    }
  });

/**
 * A documented self-service revocation of the presented credential itself (`keyscan revoke`, never a scan): the
 * request, and which answers mean revoked, already invalid, or refused by the provider.
 */
export const revokeRequestSchema = z
  .object({
    /** What the provider documents: that this request revokes the credential it carries or names. */
    note: nonEmpty,
    /** The provider's documentation of the request. */
    docs: z.string().url(),
    request: z
      .object({
        method: z.enum(["GET", "POST", "DELETE"]),
        ...respondRequestFields,
      })
      .strict(),
    /**
     * Values the request needs from the rule's verify answer (label → pick, as in `access`), used as
     * `{{lookup.NAME}}`: the token's own id, its OAuth client id. The verify request is sent first (read-only);
     * a dry run sends neither and shows the placeholder.
     */
    lookup: accessFields.optional(),
    /** The answer that means the credential is now revoked. */
    revoked: outcomeSchema,
    /** The answer that means it was already invalid (revoked, expired or fake). */
    already_invalid: outcomeSchema.optional(),
    /** Answers by which the provider refuses (e.g. the token lacks the permission to delete itself). */
    refused: outcomeSchema.optional(),
  })
  .strict()
  .superRefine((r, ctx) => RESPOND_PLACEHOLDER_CHECK(requestTexts(r.request, ["request"]), ctx, Object.keys(r.lookup ?? {})));

export const ruleSchema = z
  .object({
    /** Unique id, `<provider>.<name>`, lowercase. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/, "use lowercase `provider.name` (letters, digits, '-')"),
    /** Human name of the credential. */
    name: nonEmpty,
    /** What it is and what an attacker can do with it. */
    description: nonEmpty,
    severity: z.enum(SEVERITIES),
    /** Generic rules (password=…, bearer headers with no provider) lose to any provider rule on the same secret. */
    generic: z.boolean().optional(),
    secret: secretFormatSchema,
    usages: z.array(usageSchema).optional(),
    /**
     * Path globs: the rule runs only on files whose path matches one (`.netrc`, `*.tfvars`, `.docker/config.json`;
     * a glob without `/` names a file in any directory; case-insensitive; src/engine/path-scope.ts). On stdin only
     * when `--stdin-filename` matches. A path-scoped format may go without keywords: the path gates it.
     */
    paths: z.array(nonEmpty).min(1).optional(),
    /**
     * Issue 17: values found by a small extractor rather than a regex. `sql-column`: the cells of the named columns
     * in SQL dumps (`INSERT INTO t (…, password, …) VALUES (…)`, `COPY t (…) FROM stdin;` rows), each of which must
     * match `secret.pattern` whole (src/engine/sql-columns.ts). Column names are matched case-insensitively.
     */
    extract: z
      .object({
        kind: z.literal("sql-column"),
        columns: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, "use lowercase column names")).min(1),
      })
      .strict()
      .optional(),
    /** Extra keywords for the prefilter (besides those derived from the format and usages). */
    keywords: z.array(nonEmpty).optional(),
    /** Regexes; a secret matching any of them is not reported (e.g. documented example keys). A leading `(?i)` makes one case-insensitive. */
    allow: z.array(nonEmpty).optional(),
    /** Regexes tested against the whole match rather than the secret (e.g. `user:same-password@`). */
    allow_match: z.array(nonEmpty).optional(),
    verify: verifySchema.optional(),
    /** What a live key can reach (issue 22; read with --verify). */
    access: accessSchema.optional(),
    /** The provider's documented revocation of this credential (issue 22; sent only by `keyscan revoke --yes`). */
    revoke_request: revokeRequestSchema.optional(),
    /** Texts that must produce a finding of this rule (with the given secret). */
    examples: z.array(exampleSchema).min(1),
    /** Texts that must not produce a finding of this rule. */
    negatives: z.array(exampleSchema).min(1),
  })
  .strict();

export const providerFileSchema = z
  .object({
    /** Provider id, the file name without `.yaml`. */
    provider: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "use lowercase letters, digits and '-'"),
    /** Display name. */
    name: nonEmpty,
    /** API hosts: the only hosts verification may call (`*.example.com` allows subdomains), and the `hosts` context of usages. */
    hosts: z.array(nonEmpty).default([]),
    docs: z.string().url().optional(),
    /** Where a leaked key is revoked or rotated. */
    revoke: nonEmpty.optional(),
    /** Verification shared by the provider's rules (a rule's own `verify` wins). */
    verify: verifySchema.optional(),
    /** Access map shared by the provider's rules (a rule's own `access` wins). */
    access: accessSchema.optional(),
    /** Revocation shared by the provider's rules (a rule's own `revoke_request` wins). */
    revoke_request: revokeRequestSchema.optional(),
    rules: z.array(ruleSchema).min(1),
  })
  .strict();

export type ProviderFile = z.infer<typeof providerFileSchema>;
export type RuleSpec = z.infer<typeof ruleSchema>;
export type UsageSpec = z.infer<typeof usageSchema>;
export type SecretFormatSpec = z.infer<typeof secretFormatSchema>;
export type VerifySpec = z.infer<typeof verifySchema>;
export type ExampleSpec = z.infer<typeof exampleSchema>;
export type CompanionSpec = z.infer<typeof companionSchema>;
export type StatusMatchSpec = z.infer<typeof statusMatchSchema>;
export type AccessSpec = z.infer<typeof accessSchema>;
export type AccessRequestSpec = z.infer<typeof accessRequestSchema>;
export type RevokeSpec = z.infer<typeof revokeRequestSchema>;
export type Severity = (typeof SEVERITIES)[number];

/** The rule-file JSON Schema (what `keyscan rules schema` prints and rules/rules.schema.json holds). */
export function ruleFileJsonSchema(): unknown {
  return z.toJSONSchema(providerFileSchema, { io: "input" });
}
