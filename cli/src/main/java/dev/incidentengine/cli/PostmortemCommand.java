package dev.incidentengine.cli;

import java.util.concurrent.Callable;

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
        IncidentLog.IncidentRecords records = kafka.log().incident(id);
        Output.out.print(Review.markdown(id, records.events(), records.results()));
        return 0;
    }
}
