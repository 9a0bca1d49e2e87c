package dev.incidentengine.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.incidentengine.configdata.AvroJson;
import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.configdata.ConfigDataException;
import dev.incidentengine.configdata.ConfigPublisher;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code config apply -f DIR} and {@code config show}: configuration as data, straight to and from its Kafka topics. */
@Command(name = "config", description = "Apply a configuration directory, or show what the engine holds.",
        subcommands = {ConfigCommands.Apply.class, ConfigCommands.Show.class})
final class ConfigCommands {

    @Command(name = "apply", description = "Validate every file of a directory, then apply all of it in one transaction, or nothing.")
    static final class Apply implements Callable<Integer> {
        @Mixin
        KafkaSource kafka;

        @Option(names = {"-f", "--dir"}, required = true, description = "The directory of YAML/JSON files.")
        Path dir;

        @Option(names = "--dry-run", description = "Validate only.")
        boolean dryRun;

        @Mixin
        OutputFormat format;

        @Override
        public Integer call() {
            Output out = format.out();
            List<ConfigData.Entry> entries;
            try {
                entries = ConfigData.readDirectory(dir, Connection.environment);
            } catch (ConfigDataException e) {
                throw new CliError(CliError.REFUSED, e.getMessage() + " (nothing applied)");
            }
            Map<String, Integer> kinds = new TreeMap<>();
            entries.forEach(entry -> kinds.merge(entry.topic().name(), 1, Integer::sum));
            if (dryRun) {
                print(out, kinds, false);
                return 0;
            }
            try {
                Map<String, Object> producer = new LinkedHashMap<>(kafka.clientProps());
                producer.put(ProducerConfig.ACKS_CONFIG, "all");
                producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
                producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
                producer.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
                print(out, ConfigPublisher.publish(entries, producer, RecordSerdes.singleObject()), true);
            } catch (KafkaException e) {
                throw new CliError(CliError.UNREACHABLE, "cannot write to Kafka at " + kafka.bootstrapServers + ": " + e.getMessage()
                        + " (nothing applied)");
            }
            return 0;
        }

        /** The records per topic, valid only (a dry run) or applied. */
        private static void print(Output out, Map<String, Integer> records, boolean applied) {
            if (out.json) {
                ObjectNode json = ApiClient.JSON.createObjectNode().put("applied", applied);
                ObjectNode counts = json.putObject("records");
                records.forEach(counts::put);
                out.json(json);
            } else {
                out.line(applied ? "applied: " + records : "valid: " + records + " (nothing applied: --dry-run)");
            }
        }
    }

    @Command(name = "show", description = "The configuration the engine holds, as YAML (or -o json), as files would write it.")
    static final class Show implements Callable<Integer> {
        @Mixin
        KafkaSource kafka;

        @Option(names = "--kind", description = "One kind: services, users, channels, …")
        String kind;

        @Option(names = {"-o", "--output"}, defaultValue = "yaml", description = "yaml or json (default ${DEFAULT-VALUE}).")
        String output;

        @Override
        public Integer call() throws Exception {
            if (!output.equals("json") && !output.equals("yaml")) {
                throw new CliError(CliError.USAGE, "-o must be yaml or json, not '" + output + "'");
            }
            Map<String, Topic<String, ? extends SpecificRecord>> kinds = ConfigData.kinds();
            if (kind != null && !kinds.containsKey(kind)) {
                throw new CliError(CliError.USAGE, "unknown kind '" + kind + "' (known: " + kinds.keySet() + ")");
            }
            IncidentLog log = kafka.log();
            ObjectNode shown = ApiClient.JSON.createObjectNode();
            for (Map.Entry<String, Topic<String, ? extends SpecificRecord>> each : kinds.entrySet()) {
                if (kind != null && !kind.equals(each.getKey())) {
                    continue;
                }
                // A compacted topic: the last record of a key is its value, a tombstone deletes it.
                Map<String, SpecificRecord> latest = new TreeMap<>();
                log.readAll(each.getValue(), Instant.EPOCH, record -> {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record.value());
                    }
                });
                if (!latest.isEmpty()) {
                    ArrayNode records = shown.putArray(each.getKey());
                    latest.values().forEach(value -> records.add(AvroJson.write(value)));
                }
            }
            ObjectMapper writer = output.equals("json") ? ApiClient.JSON
                    : new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
            Output.out.print(writer.writerWithDefaultPrettyPrinter().writeValueAsString(shown) + (output.equals("json") ? "\n" : ""));
            return 0;
        }
    }
}
