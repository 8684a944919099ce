/**
 * Entry point of the `myspinbot` command (bin/myspinbot.mjs loads it through tsx). A command's exit code
 * ends the process once its output is written (an in-process engine may leave timers and workers behind);
 * a server role keeps running until its lifecycle stops it.
 */
import { runCli } from './cli.js';

const outcome = await runCli(process.argv.slice(2));
if (outcome !== 'serving') process.exit(outcome);
