package dev.incidentengine.ticketing;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.schemas.SingleObjectAvroSerde;
import dev.incidentengine.ticketing.TicketSystem.ChangePage;
import dev.incidentengine.ticketing.TicketSystem.TicketChange;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the ticket system for people's changes ({@link TicketSystem#changesSince}) every {@code ticket.poll.interval.ms} and
 * writes them as incident commands (Avro bytes, key = incident id) to {@code ticket.commands.topic}. The system's cursor is
 * the source offset. Only the last record of a page carries the page's cursor: Connect commits a record's offset once it and
 * every record before it are written, so a restart reads again at most a page, whose commands repeat as no-ops (their ids
 * derive from the change ids). A page whose changes are all ignored moves the cursor in memory only.
 */
public final class TicketSourceTask extends SourceTask {

    static final String CURSOR = "cursor";
    private static final Logger LOG = LoggerFactory.getLogger(TicketSourceTask.class);

    private final SingleObjectAvroSerde<IncidentCommand> commands = new SingleObjectAvroSerde<>(IncidentCommand.class);
    private final CountDownLatch stopped = new CountDownLatch(1);

    private TicketSystem system;
    private InboundCommands inbound;
    private TicketMetrics metrics;
    private Map<String, String> sourcePartition;
    private String topic;
    private long intervalMs;
    private int maxChanges;
    private String cursor;
    private long nextPollAt;
    private Clock clock;

    @Override
    public String version() {
        return TicketSinkConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        TicketConfig config = new TicketConfig(TicketConfig.sourceDef(props), props);
        TicketHttp http = TicketHttp.create(config.provider().system(), config.retry(), config.httpTimeout());
        TicketMetrics counters = new TicketMetrics();
        try {
            counters.register(context.pluginMetrics());
        } catch (UnsupportedOperationException | NoSuchMethodError e) {
            // An older worker: the counters still count.
        }
        start(config, config.provider().create(config, http), counters, Clock.systemUTC());
    }

    /** With a system and clock of the caller's: the unit tests' way in. */
    void start(TicketConfig config, TicketSystem system, TicketMetrics metrics, Clock clock) {
        this.system = system;
        this.metrics = metrics;
        this.clock = clock;
        this.inbound = InboundCommands.of(config, clock);
        this.sourcePartition = Map.of("ticket.system", config.provider().system());
        this.topic = config.getString(TicketConfig.COMMANDS_TOPIC);
        this.intervalMs = config.getLong(TicketConfig.POLL_INTERVAL_MS);
        this.maxChanges = config.getInt(TicketConfig.POLL_MAX_CHANGES);
        Map<String, Object> offset = context.offsetStorageReader().offset(sourcePartition);
        this.cursor = offset == null ? null : (String) offset.get(CURSOR);
        LOG.info("Ticketing source for {} started at cursor {}", config.provider().system(), cursor);
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        long wait = nextPollAt - clock.millis();
        if (wait > 0 && stopped.await(wait, TimeUnit.MILLISECONDS)) {
            return null;
        }
        nextPollAt = clock.millis() + intervalMs;
        ChangePage page;
        try {
            page = system.changesSince(cursor, maxChanges);
        } catch (TicketException e) {
            metrics.failures.increment();
            if (e.retriable()) {
                metrics.retries.increment();
                LOG.error("{}: people's changes not read, trying again in {} ms: {}", system.system(), intervalMs, e.getMessage());
                return null;
            }
            throw new ConnectException("Cannot read people's changes from " + system.system() + ": " + e.getMessage(), e);
        }
        List<IncidentCommand> produced = new ArrayList<>();
        for (TicketChange change : page.changes()) {
            inbound.command(change).ifPresent(produced::add);
        }
        List<SourceRecord> records = new ArrayList<>();
        for (int i = 0; i < produced.size(); i++) {
            IncidentCommand command = produced.get(i);
            String offset = i == produced.size() - 1 ? page.nextCursor() : cursor;
            records.add(new SourceRecord(sourcePartition, Collections.singletonMap(CURSOR, offset), topic, null,
                    Schema.OPTIONAL_BYTES_SCHEMA, command.getIncidentId().getBytes(StandardCharsets.UTF_8),
                    Schema.OPTIONAL_BYTES_SCHEMA, commands.serialize(topic, command), command.getTimestamp().toEpochMilli()));
        }
        metrics.commandsSent.add(records.size());
        if (page.nextCursor() != null) {
            cursor = page.nextCursor();
        }
        if (page.changes().size() >= maxChanges) {
            nextPollAt = clock.millis(); // a full page: more are waiting
        }
        return records.isEmpty() ? null : records;
    }

    @Override
    public void stop() {
        stopped.countDown();
        if (system != null) {
            system.close();
        }
    }
}
