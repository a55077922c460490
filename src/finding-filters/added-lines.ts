/**
 * Diff-based sources (staged changes, commit ranges) report only what the change added: an item carries the
 * 1-based numbers of its added lines, and a finding elsewhere in the file is dropped. Items without a line set
 * (whole files, history blobs) keep every finding.
 */
export function onAddedLine(line: number, added: ReadonlySet<number> | undefined): boolean {
  return added === undefined || added.has(line);
}
