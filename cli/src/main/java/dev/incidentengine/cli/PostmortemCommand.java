package dev.incidentengine.cli;

import java.util.List;
import java.util.concurrent.Callable;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postmortem ID}: a Markdown post-incident review from the incident's log. */
@Command(name = "postmortem", description = "Write a post-incident review (Markdown) from the incident's log in Kafka.")
final class PostmortemCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, defaultValue = "${env:INCIDENTCTL_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka (env INCIDENTCTL_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        IncidentLog log = new IncidentLog(bootstrapServers);
        List<IncidentEvent> events = log.read(Topics.INCIDENT_EVENTS, id, Output.err);
        if (events.isEmpty()) {
            throw new CliError(CliError.NOT_FOUND, "no events of incident " + id + " in " + Topics.INCIDENT_EVENTS.name());
        }
        Output.out.print(Review.markdown(id, events, log.read(Topics.NOTIFICATION_RESULTS, id, Output.err)));
        return 0;
    }
}
