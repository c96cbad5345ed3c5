package dev.switchboard.examples.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code switchboard} command line; each task is a subcommand ({@link CrossoverCommand},
 * {@link RouterEvalCommand}, {@link EvalCommand}) that inherits {@code --help} and {@code --version}. Run it from the
 * repository root through the {@code demo} profile of {@code sdk-examples} (which runs it in the
 * {@code sdk-examples} directory, so relative paths start there):
 *
 * <pre>
 * mvn -B -q -Pdemo -DskipTests verify -Ddemo.mainClass=dev.switchboard.examples.cli.SwitchboardCli \
 *     -Ddemo.args="crossover --input-tokens 500M --output-tokens 100M --gpus 2 --gpu-hourly 8-14"
 * </pre>
 *
 * ({@code -Ddemo.args="crossover --help"} lists the options). Exit codes: 0 done, 1 failed, 2 bad
 * arguments (which fails the Maven build too); a bad argument prints one line naming it, not the
 * whole usage.
 *
 * <p>Not thread-safe: picocli fills the commands' fields while parsing, so take a new {@link
 * #commandLine()} for each run.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = SwitchboardCli.Version.class,
    scope = ScopeType.INHERIT,
    subcommands = {CrossoverCommand.class, RouterEvalCommand.class, EvalCommand.class, DemoCommand.class},
    description = "Switchboard's tools for LLM calls. Run 'switchboard COMMAND --help' for a command's options.")
public final class SwitchboardCli {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** A new command line with every subcommand, printing to standard out and standard error. */
  public static CommandLine commandLine() {
    return new CommandLine(new SwitchboardCli()).setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler(SwitchboardCli::bad);
  }

  private static int bad(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(cmd.getColorScheme().errorText(e.getMessage()));
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** The version in the jar's manifest, when run from a jar. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SwitchboardCli.class.getPackage().getImplementationVersion();
      return new String[] {"switchboard " + (version != null ? version : "(development build)")};
    }
  }
}
