package dev.riffle.cli;

import dev.riffle.config.ConfigException;
import dev.riffle.core.StartupException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code riffle}: one jar, one command per stage, and {@code run} (the default) for all of them in one JVM. */
@Command(name = "riffle", mixinStandardHelpOptions = true, version = "riffle 0.1.0",
        description = "Riemann-style application metrics on Kafka Streams, written to Graphite.",
        subcommands = {RunCommand.class, StageCommands.Bridge.class, StageCommands.Streams.class,
            StageCommands.Sink.class, SendCommand.class, TopologyCommand.class, CommandLine.HelpCommand.class,
            DemoCommand.class})
public final class Main implements Callable<Integer> {
    /** Exit code for a bad setting or option. */
    static final int BAD_CONFIG = 2;
    /** Exit code when Riffle cannot start: a port in use, a data dir held by another process. */
    static final int CANNOT_START = 1;

    @Override
    public Integer call() {
        return 0; // not reached: execute() turns a bare "riffle" into "riffle run"
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.err, true), args);
    }

    static int execute(java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("riffle: bad configuration: " + e.getMessage());
                return BAD_CONFIG;
            }
            if (e instanceof StartupException) {
                cmd.getErr().println("riffle: cannot start: " + e.getMessage());
                return CANNOT_START;
            }
            throw e;
        });
        // no subcommand means run, through the same handler (so a bad setting still exits 2)
        return cli.execute(args.length == 0 ? new String[] {"run"} : args);
    }
}
