package dev.incidentengine.cli;

import java.io.PrintStream;
import java.io.PrintWriter;

import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.configdata.ConfigPublisher;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * {@code ./incidentctl}: work incidents from a terminal through the engine's HTTP API. Errors are a
 * line on stderr and an exit code (see {@link CliError}), never a stack trace.
 */
@Command(name = "incidentctl", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "incidentctl 0.1.0",
        description = "Work incidents from a terminal: list, show, acknowledge, resolve, … ; who is on call; silences.",
        subcommands = {IncidentCommands.class, IncidentCommands.Ack.class, IncidentCommands.Resolve.class, IncidentCommands.Reopen.class,
                IncidentCommands.Assign.class, IncidentCommands.Severity.class, IncidentCommands.Note.class,
                IncidentCommands.StatusUpdate.class, IncidentCommands.Snooze.class, IncidentCommands.Merge.class,
                IncidentCommands.Close.class, RoleCommand.class, PublicationCommands.class, ReviewCommands.class, RunbookCommands.class, OnCallCommand.class, SilenceCommands.class, TimelineCommand.class, PostmortemCommand.class, ReportCommand.class, DrillCommands.class, ConfigCommands.class, TopicsCommand.class, RebuildCommand.class,
                TestNotifyCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed", "2:usage (bad flags or config)", "3:not found (incident, silence, schedule)",
                "4:not allowed (no token, token refused, role too low)", "5:refused (bad input, command rejected)",
                "6:engine unreachable or starting", "7:test-notify: a delivery result did not come in time"})
public final class Incidentctl {

    /** Its name, also its Kafka user's. */
    public static final String NAME = "incidentctl";

    /**
     * What it does on Kafka: the commands that read topics themselves (log, report, rebuild, drill, {@code config show})
     * read them from offsets of their own, without a group; {@code config apply} writes the config in one transaction.
     * Everything else goes through the services' HTTP APIs.
     */
    public static ServiceAccess kafkaAccess() {
        return ServiceAccess.of(NAME)
                .reads(Topics.INCIDENT_EVENTS, Topics.INCIDENT_STATE, Topics.NOTIFICATION_RESULTS)
                .reads(ConfigData.kinds().values())
                .plus(ConfigPublisher.access(NAME));
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = run(args);
        } catch (OutOfMemoryError e) {
            // picocli passes Errors on; a person gets a line and what to do, not a stack trace.
            Output.err.println("incidentctl: out of memory; give it more with INCIDENTCTL_JAVA_OPTS=-Xmx1g");
            exit = CliError.FAILED;
        }
        System.exit(exit);
    }

    /** Runs one command line printing to {@code out} and {@code err}, as tests and embedders want; the exit code. */
    public static synchronized int run(PrintStream out, PrintStream err, String... args) {
        PrintStream oldOut = Output.out;
        PrintStream oldErr = Output.err;
        Output.out = out;
        Output.err = err;
        try {
            return run(args);
        } finally {
            Output.out = oldOut;
            Output.err = oldErr;
        }
    }

    /** Runs one command line; the exit code, as {@link #main} would exit with. */
    public static int run(String... args) {
        return new CommandLine(new Incidentctl())
                .setOut(new PrintWriter(Output.out, true))
                .setErr(new PrintWriter(Output.err, true))
                .setExecutionExceptionHandler((error, command, parsed) -> {
                    if (error instanceof CliError cli) {
                        command.getErr().println("incidentctl: " + cli.getMessage());
                        return cli.exitCode;
                    }
                    command.getErr().println("incidentctl: " + error);
                    return CliError.FAILED;
                })
                .execute(args);
    }
}
