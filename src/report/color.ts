/**
 * Terminal colour, decided once per output stream: on only for a TTY, off for NO_COLOR (any non-empty value),
 * TERM=dumb or --no-color; FORCE_COLOR=0 forces off and 1-3 on. Structured formats never use it.
 */
export interface Palette {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  green(s: string): string;
}

export function colorEnabled(stream: { isTTY?: boolean } | undefined, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  if (flag === true) return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return stream?.isTTY === true;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const id = (s: string) => s;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { bold: id, dim: id, red: id, yellow: id, cyan: id, green: id };
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), green: wrap(32, 39) };
}
