// The `closing-time` command: run a program against the simulator, grade a lab, run workshops.
import { processOutput, type CliOutput } from './output.ts';
import { EXIT_PROGRAM_ERROR, EXIT_USAGE, runCommand } from './run-command.ts';
import { RUN_USAGE } from './run-args.ts';
import { UsageError } from './usage-error.ts';
import { packageVersion } from './version.ts';

export const USAGE = `closing-time: an interactive course on how TCP connections end

Usage:
  closing-time run <program.ts> [options]   run a program against the simulator (--kernel: on this machine's Linux)
  closing-time compare <program.ts>         run it on both and show the differences that matter
  closing-time grade ...                    grade a lab solution (closing-time grade --help)
  closing-time workshop ...                 create, list, export or close workshops (closing-time workshop --help)
  closing-time grader --database URL        a grading node for servers that share a PostgreSQL database (closing-time grader --help)
  closing-time help [run]                   this text, or the options of run
  closing-time --version

Examples:
  closing-time run examples/four-way-close.ts
  closing-time run examples/lost-last-ack.ts --seed 7 --json
  closing-time run examples/lost-last-ack.ts --pcap lost.pcap   (then: tcpdump -r lost.pcap)`;

type GradeModule = { gradeCommand?: (argv: string[]) => Promise<number> };

async function gradeCommand(argv: string[], io: CliOutput): Promise<number> {
  let mod: GradeModule;
  try {
    // @ts-ignore -- grade.ts is written separately and may be absent; the bundler then substitutes an empty module.
    mod = (await import('./grade.ts')) as GradeModule;
  } catch (error) {
    io.err(`closing-time grade is not available in this build: ${(error as Error).message}\n`);
    return EXIT_PROGRAM_ERROR;
  }
  if (typeof mod.gradeCommand !== 'function') {
    io.err('closing-time grade is not available in this build (src/cli/grade.ts is missing); run `npm run build:cli` after updating\n');
    return EXIT_PROGRAM_ERROR;
  }
  io.flush();
  return mod.gradeCommand(argv);
}

/** Runs the command line `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: CliOutput = processOutput()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.err(`${USAGE}\n`);
        return EXIT_USAGE;
      case 'help':
      case '--help':
      case '-h':
        io.out(`${rest[0] === 'run' ? RUN_USAGE : USAGE}\n`);
        return 0;
      case '--version':
      case '-V':
      case 'version':
        io.out(`closing-time ${packageVersion()}\n`);
        return 0;
      case 'run':
        if (rest.includes('--help') || rest.includes('-h')) {
          io.out(`${RUN_USAGE}\n`);
          return 0;
        }
        return await runCommand(rest, io);
      case 'compare': {
        const { compareCommand, COMPARE_USAGE } = await import('./compare-command.ts');
        if (rest.includes('--help') || rest.includes('-h')) {
          io.out(`${COMPARE_USAGE}\n`);
          return 0;
        }
        try {
          return await compareCommand(rest, io);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          io.err(`closing-time compare: ${error.message}\n\n${COMPARE_USAGE}\n`);
          return EXIT_USAGE;
        }
      }
      case 'grade':
        return await gradeCommand(rest, io);
      case 'workshop': {
        const { workshopCommand, WORKSHOP_USAGE } = await import('./workshop.ts');
        try {
          return await workshopCommand(rest, io);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          io.err(`closing-time workshop: ${error.message}\n\n${WORKSHOP_USAGE}\n`);
          return EXIT_USAGE;
        }
      }
      case 'grader': {
        const { graderCommand, GRADER_USAGE } = await import('./grader.ts');
        try {
          return await graderCommand(rest, io);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          io.err(`closing-time grader: ${error.message}\n\n${GRADER_USAGE}\n`);
          return EXIT_USAGE;
        }
      }
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`closing-time: ${error.message}\n\n${command === 'run' ? RUN_USAGE : USAGE}\n`);
      return EXIT_USAGE;
    }
    io.err(`closing-time: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_PROGRAM_ERROR;
  } finally {
    io.flush();
  }
}
