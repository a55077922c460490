/** Every CLI command, in help order. Add a command by adding its module here. */
import { ciCommand } from "./ci.js";
import { diffCommand } from "./diff.js";
import { historyCommand } from "./history.js";
import { reportCommand } from "./report.js";
import { rulesCommand } from "./rules.js";
import { scanCommand } from "./scan.js";
import type { Command } from "./types.js";
import { verifyCommand } from "./verify.js";

export const COMMANDS: Command[] = [scanCommand, diffCommand, historyCommand, rulesCommand, verifyCommand, reportCommand, ciCommand];
