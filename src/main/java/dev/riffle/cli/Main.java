package dev.riffle.cli;

import dev.riffle.config.ConfigException;
import dev.riffle.core.StartupException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code riffle}: one jar, one command per stage, and {@code run} (the default) for all of them in one JVM. */
@Command(name = "riffle", mixinStandardHelpOptions = true, version = "riffle 0.1.0",
        description = "Riemann-style application metrics on Kafka Streams, written to Graphite.",
        subcommands = {RunCommand.class, BrokerCommand.class, StageCommands.Bridge.class, StageCommands.Streams.class,
            StageCommands.Sink.class, StageCommands.Alerts.class, SilenceCommand.class, ReplayCommand.class,
            SendCommand.class, TopologyCommand.class,
            CommandLine.HelpCommand.class,
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

    /** Exit code after an OutOfMemoryError, as the JVM's own -XX:+ExitOnOutOfMemoryError gives. */
    static final int OUT_OF_MEMORY = 3;

    public static void main(String[] args) {
        stopOnOutOfMemory();
        System.exit(execute(args));
    }

    /**
     * A thread that dies of an OutOfMemoryError stops the whole process at once, with one line that says so: a
     * half-alive pipeline (a broker or stream thread gone, the rest waiting for it) would otherwise ignore SIGTERM
     * and hold its data dir. Errors that Kafka's own threads catch never get here; for those, scripts/riffle runs
     * the JVM with -XX:+ExitOnOutOfMemoryError.
     */
    static void stopOnOutOfMemory() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof OutOfMemoryError) {
                System.err.println("riffle: out of memory in thread " + thread.getName() + " (" + e.getMessage()
                        + "); stopping at once. Give the JVM more heap (-Xmx in RIFFLE_JAVA_OPTS) or lower "
                        + "ingest.memory_bytes");
                System.err.flush();
                Runtime.getRuntime().halt(OUT_OF_MEMORY);
            }
            if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                e.printStackTrace();
            }
        });
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
