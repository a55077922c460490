/**
 * The `{{name}}` placeholder syntax of verify templates, in a module of its own so that code which only expands
 * templates (src/verify/template.ts) does not load the rule schema and zod at start-up (issue 7: ~100 ms).
 */
export const TEMPLATE_PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
