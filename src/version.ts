/**
 * keyscan's version, read once from package.json (reports, User-Agent, shard/state compatibility checks). The file is
 * one folder up from dist/version.js and src/version.ts, two from the release bundle in dist/bundle/ (issue 20).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function readVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ["..", "../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(resolve(here, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@keyscan-dev/keyscan") return pkg.version ?? "0.0.0";
    } catch {
      // not here: try one folder further up
    }
  }
  return "0.0.0";
}

export const VERSION = readVersion();
export const TOOL_NAME = "keyscan";
