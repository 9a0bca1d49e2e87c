package dev.incidentengine.status;

import java.time.Duration;
import java.time.Instant;

import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusPageState;
import dev.incidentengine.status.domain.StatusPage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link StatusPage} for the one page this app writes: each input is decided against the page's state in
 * {@code status-page-store}, the events go to the page's log, and a wall-clock punctuation moves maintenance on time.
 * Records of other pages are skipped. A refused input (unknown component or maintenance, a window that cannot be read,
 * an update of an incident never published) writes nothing and is logged and counted
 * ({@code status_page_rejected_total{input}}); one that would pass a cap of the state goes to the DLQ, logged as an
 * error and counted ({@code status_page_limit_exceeded_total}).
 */
final class PageWriter implements Processor<String, PageInput, String, StatusPageEvent> {

    private static final Logger log = LoggerFactory.getLogger(PageWriter.class);

    private final StatusPage page;
    private final Duration punctuation;
    private final MeterRegistry metrics;
    private ProcessorContext<String, StatusPageEvent> context;
    private KeyValueStore<String, StatusPageState> store;

    PageWriter(StatusPage page, Duration punctuation, MeterRegistry metrics) {
        this.page = page;
        this.punctuation = punctuation;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, StatusPageEvent> context) {
        this.context = context;
        store = context.getStateStore(StatusPageTopology.STATE_STORE);
        context.schedule(punctuation, PunctuationType.WALL_CLOCK_TIME,
                now -> apply("time", state -> page.onTime(state, Instant.ofEpochMilli(now))));
    }

    @Override
    public void process(Record<String, PageInput> record) {
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        PageInput input = record.value();
        if (input instanceof PageInput.Incident incident) {
            apply("incident", state -> page.onIncidentEvent(state, incident.event()));
        } else if (input instanceof PageInput.Command command) {
            if (command.command() == null) {
                throw new IllegalArgumentException("no command in the record (null value)");
            }
            apply("command", state -> page.onCommand(state, command.command()));
        } else if (input instanceof PageInput.Config config) {
            if (!page.pageId().equals(config.id())) {
                return;
            }
            if (config.config() == null) {
                log.warn("The config of status page {} was deleted: the page stays as it was last configured", config.id());
                return;
            }
            apply("config", state -> page.onConfig(state, config.config(), now));
        } else if (input instanceof PageInput.Silence silence) {
            apply("silence", state -> page.onSilence(state, silence.id(), silence.silence(), now));
        }
    }

    private interface Decide {
        StatusPage.Decision decide(StatusPageState state);
    }

    private void apply(String input, Decide decide) {
        StatusPageState before = store.get(page.pageId());
        StatusPage.Decision decision;
        try {
            decision = decide.decide(before != null ? before : page.initial());
        } catch (StatusPage.LimitExceeded e) {
            Counter.builder("status_page_limit_exceeded_total").description("Inputs the status page refused for passing a cap of its state")
                    .register(metrics).increment();
            log.error("Status page {}: {}; the {} goes to the dead-letter topic", page.pageId(), e.getMessage(), input);
            throw e;
        }
        if (decision.rejected()) {
            Counter.builder("status_page_rejected_total")
                    .description("Inputs the status page refused, by input (command, incident, silence)")
                    .tag("input", input).register(metrics).increment();
            log.warn("Status page {}: refused {}: {}", page.pageId(), input, decision.rejection());
            return;
        }
        if (!decision.state().equals(before)) {
            store.put(page.pageId(), decision.state());
        }
        for (StatusPageEvent event : decision.events()) {
            log.info("Status page {} #{}: {}", page.pageId(), event.getSequence(), event.getPayload().getClass().getSimpleName());
            context.forward(new Record<>(page.pageId(), event, event.getTimestamp().toEpochMilli()));
        }
    }
}
