package dev.incidentengine.schemas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaFormatter;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;

/**
 * Records the current schema of every record type as a new released version, where it differs
 * from the released ones. Run it when cutting a release:
 * {@code ./mvnw -q -pl schemas compile exec:java -Dexec.mainClass=dev.incidentengine.schemas.ReleaseSchemas -Dexec.args=schemas/src/main/resources}
 */
public final class ReleaseSchemas {

    private ReleaseSchemas() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/main/resources").resolve(ReleasedSchemas.ROOT);
        List<String> index = new ArrayList<>(ReleasedSchemas.indexEntries());
        for (Class<? extends SpecificRecord> type : ReleasedSchemas.recordTypes()) {
            Schema current = ReleasedSchemas.currentSchema(type);
            List<Schema> released = ReleasedSchemas.of(current.getFullName());
            long fingerprint = SchemaNormalization.parsingFingerprint64(current);
            if (released.stream().anyMatch(s -> SchemaNormalization.parsingFingerprint64(s) == fingerprint)) {
                continue;
            }
            String entry = current.getFullName() + "/v" + (released.size() + 1) + ".avsc";
            Path file = root.resolve(entry);
            Files.createDirectories(file.getParent());
            Files.writeString(file, SchemaFormatter.format("json/pretty", current) + "\n", StandardCharsets.UTF_8);
            index.add(entry);
            System.out.println("released " + entry);
        }
        Files.write(root.resolve("index"), index, StandardCharsets.UTF_8);
    }
}
