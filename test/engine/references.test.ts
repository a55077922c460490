// Issue 17, one hop: the resolver that finds the literal assigned to an identifier (src/engine/references.ts), the
// file-wide context (src/engine/file-context.ts), and the bounds both promise: every pattern passes the ReDoS
// analysis, a file resolves at most MAX_NAMES identifiers, and a huge file is not searched.
import { describe, expect, it } from "vitest";
import { FileContext } from "../../src/engine/file-context.js";
import { MAX_NAMES, MAX_TEXT, References, assignmentSource, namesOf } from "../../src/engine/references.js";
import { analyseRegex } from "../../src/engine/regex/analyse.js";
import { loadRules } from "../../src/engine/load-rules.js";

const KEY = "Zq81bC0xL9vTe5WmNf27HdKp";

describe("references: the literal assigned to an identifier", () => {
  it("has no catastrophic-backtracking risk and a bounded match, for plain and dotted names", () => {
    for (const name of ["API_KEY", "apiKey", "service.token", "a"]) {
      const a = analyseRegex(assignmentSource(name), "yd");
      expect(a.risks, name).toEqual([]);
      expect(a.unbounded, name).toBe(false);
    }
  });

  it("every reference matcher of the shipped rules compiled without a risk (compile throws on one)", () => {
    const rs = loadRules();
    const refs = rs.matchers.filter((m) => m.refValue !== undefined);
    expect(refs.length).toBeGreaterThan(100);
    for (const m of refs) expect(analyseRegex(m.regex.source, m.regex.flags).risks, `${m.rule.id} ${m.usage}`).toEqual([]);
  });

  const cases: Array<[string, string, string]> = [
    ["Python", `API_KEY = "${KEY}"\n`, "API_KEY"],
    ["TypeScript", `const apiKey: string = "${KEY}";\n`, "apiKey"],
    ["Rust", `const API_KEY: &str = "${KEY}";\n`, "API_KEY"],
    ["Go", `apiKey := "${KEY}"\n`, "apiKey"],
    ["Go typed var", `var apiKey string = "${KEY}"\n`, "apiKey"],
    ["Go typed const", `const (\n\tAPIKey string = "${KEY}"\n)\n`, "APIKey"],
    ["PHP", `$apiKey = '${KEY}';\n`, "$apiKey"],
    ["PHP define", `define('API_KEY', '${KEY}');\n`, "API_KEY"],
    ["Ruby", `@api_key = "${KEY}"\n`, "@api_key"],
    ["a class attribute", `class C:\n    api_key = "${KEY}"\n`, "self.api_key"],
    ["an object field", `const config = {\n  apiKey: "${KEY}",\n};\n`, "config.apiKey"],
    ["YAML", `api_key: ${KEY}\n`, "api_key"],
    ["properties", `service.token=${KEY}\n`, "service.token"],
    ["os.getenv default", `API_KEY = os.getenv("SERVICE_KEY", "${KEY}")\n`, "API_KEY"],
    ["os.environ.get default", `api_key = os.environ.get("SERVICE_KEY", "${KEY}")\n`, "api_key"],
    ["process.env default", `const apiKey = process.env.SERVICE_KEY || "${KEY}";\n`, "apiKey"],
    ["ENV.fetch default", `API_KEY = ENV.fetch("SERVICE_KEY", "${KEY}")\n`, "API_KEY"],
    ["shell default", `API_KEY="\${SERVICE_KEY:-${KEY}}"\n`, "API_KEY"],
    ["XML element", `<apiKey>${KEY}</apiKey>\n`, "apiKey"],
    ["XML property", `<property name="apiKey" value="${KEY}"/>\n`, "apiKey"],
    ["HCL variable default", `variable "api_key" {\n  type    = string\n  default = "${KEY}"\n}\n`, "var.api_key"],
    ["notebook JSON", `"API_KEY = \\"${KEY}\\"\\n",\n`, "API_KEY"],
  ];
  for (const [what, text, expr] of cases) {
    it(`resolves ${what}`, () => {
      const lit = new References(text).resolve(expr, text.length);
      expect(lit?.value).toBe(KEY);
      expect(text.slice(lit!.start, lit!.end)).toBe(KEY);
    });
  }

  it("takes the last assignment before the use, else the first after it; no assignment, no literal", () => {
    const text = `KEY = "aaaaaaaaaa1"\nuse(KEY)\nKEY = "bbbbbbbbbb2"\nuse(KEY)\n`;
    const refs = new References(text);
    expect(refs.resolve("KEY", text.indexOf("use(KEY)"))?.value).toBe("aaaaaaaaaa1");
    expect(refs.resolve("KEY", text.lastIndexOf("use(KEY)"))?.value).toBe("bbbbbbbbbb2");
    expect(refs.resolve("KEY", 0)?.value).toBe("aaaaaaaaaa1");
    expect(new References("print(OTHER)\n").resolve("OTHER", 6)).toBeUndefined();
    expect(new References("x = KEYS\nKEY == 'abc'\n").resolve("KEY", 0)).toBeUndefined();
    // Go's typed form needs its `=`: a comparison after a type-like word is no assignment.
    expect(new References("if KEY string == 'abcdefghij'\n").resolve("KEY", 0)).toBeUndefined();
  });

  it("names: the whole dotted expression, then its last part; receivers are not names", () => {
    expect(namesOf("this.apiKey")).toEqual(["this.apiKey", "apiKey"]);
    expect(namesOf("$this->apiKey")).toEqual(["apiKey"]);
    expect(namesOf("&API_KEY")).toEqual(["API_KEY"]);
    expect(namesOf("self")).toEqual([]);
  });

  it("resolves at most MAX_NAMES identifiers per file and does not search a file over MAX_TEXT", () => {
    const text = Array.from({ length: MAX_NAMES + 5 }, (_, i) => `K${i} = "${KEY}${i}"`).join("\n");
    const refs = new References(text);
    const found = Array.from({ length: MAX_NAMES + 5 }, (_, i) => refs.resolve(`K${i}`, text.length)).filter((l) => l !== undefined);
    expect(found).toHaveLength(MAX_NAMES);
    const huge = `API_KEY = "${KEY}"\n${" ".repeat(MAX_TEXT)}`;
    expect(new References(huge).resolve("API_KEY", huge.length)).toBeUndefined();
  });
});

describe("file context: the provider's host anywhere in the file", () => {
  it("is the distance to the nearest occurrence of a host name; other context words do not count from afar", () => {
    const text = `base = "https://api.claid.ai"\n${"x\n".repeat(50)}Authorization: Bearer ${KEY}\n`;
    const at = text.indexOf(KEY);
    expect(new FileContext(text, at).distance(["api.claid.ai"], at)).toBe(at - text.indexOf("api.claid.ai"));
    expect(new FileContext(text, at).distance(["api.getimg.ai"], at)).toBeUndefined();
    expect(new FileContext(`x = "https://xapi.claid.ai.example.com"\n`, 0).distance(["api.claid.ai"], 0)).toBeUndefined();
    expect(new FileContext(`see API.Claid.AI.\n`, 0).distance(["api.claid.ai"], 0)).toBe(4);
    expect(new FileContext("CLAID_KEY\nkind: Config\n", 0).distance(["claid", "kind: config"], 0)).toBeUndefined();
  });
});
