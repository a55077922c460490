/**
 * The report format names, in help order, without the reporters themselves: the CLI's options and checks need only
 * the names, and loading every reporter (HTML, audit, SARIF…) cost each pre-commit run module loading it never uses
 * (issue 7). report/index.ts holds the reporters; a test keeps the two lists equal.
 */
export const FORMAT_NAMES: readonly string[] = ["text", "json", "jsonl", "sarif", "github", "markdown", "html"];
