package dev.incidentengine.cli;

import java.util.concurrent.Callable;

import dev.incidentengine.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code postmortem ID}: a Markdown post-incident review from the incident's log. */
@Command(name = "postmortem", description = "Write a post-incident review (Markdown) from the incident's log in Kafka.")
final class PostmortemCommand implements Callable<Integer> {

    @Mixin
    KafkaSource kafka;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        IncidentLog log = kafka.log();
        Output.out.print(Review.markdown(id, log.events(id), log.read(Topics.NOTIFICATION_RESULTS, id, Output.err)));
        return 0;
    }
}
