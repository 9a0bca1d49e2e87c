package dev.incidentengine.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postmortem ID}: a Markdown post-incident review from the incident's log. */
@Command(name = "postmortem", description = "Write a post-incident review (Markdown) from the incident's log in Kafka.")
final class PostmortemCommand implements Callable<Integer> {

    @Mixin
    KafkaSource kafka;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = {"-o", "--output"}, defaultValue = "markdown", description = "markdown or json: the facts it is written from (default ${DEFAULT-VALUE}).")
    String output;

    @Override
    public Integer call() {
        if (!output.equals("markdown") && !output.equals("json")) {
            throw new CliError(CliError.USAGE, "-o must be markdown or json, not '" + output + "'");
        }
        IncidentLog.IncidentRecords records = kafka.log().incident(id);
        if (output.equals("json")) {
            new Output(true).json(Review.json(id, records.events(), records.results()));
        } else {
            Output.out.print(Review.markdown(id, records.events(), records.results()));
        }
        return 0;
    }
}
