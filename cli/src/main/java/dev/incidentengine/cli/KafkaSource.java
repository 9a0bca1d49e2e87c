package dev.incidentengine.cli;

import picocli.CommandLine.Option;

/** Where the commands that read the topics themselves find Kafka: the flag, else {@code INCIDENTCTL_BOOTSTRAP_SERVERS}, else the local engine's broker. */
final class KafkaSource {

    @Option(names = "--bootstrap-servers", defaultValue = "${env:INCIDENTCTL_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka (env INCIDENTCTL_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    IncidentLog log() {
        return new IncidentLog(bootstrapServers);
    }
}
