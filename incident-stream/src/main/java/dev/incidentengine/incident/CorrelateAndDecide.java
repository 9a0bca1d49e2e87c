package dev.incidentengine.incident;

import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.service.CommitPacing;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Correlation and the incident aggregate in one task. An incident id names the partition of the
 * correlation key that opened it, and incident.commands.v1 is repartitioned by that partition, so
 * an incident lives in the task that correlates its alerts: attaching an alert and hearing back
 * about a status change are method calls rather than round trips through topics, and an alert
 * becomes an incident within one commit of leaving dedupe. Commands for an incident of another
 * task (alerts moving with a merge into it) take the way through incident.commands.v1.
 */
final class CorrelateAndDecide implements Processor<String, SpecificRecord, String, Object> {

    private final Correlate correlate;
    private final Decide decide;
    private final CommitPacing pacing;
    private ProcessorContext<String, Object> context;

    CorrelateAndDecide(LifecyclePolicy policy, String statusPageId, IncidentMetrics metrics, CommitPacing pacing) {
        this.pacing = pacing;
        this.correlate = new Correlate(policy, metrics);
        this.decide = new Decide(policy, statusPageId, metrics);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        correlate.init(context, this::command);
        decide.init(context, this::command, correlate::onUpdate);
        pacing.schedule(context);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (record.value() instanceof Alert alert) {
            correlate.onNews(record.key(), alert, record.headers().lastHeader(Dedupe.CHANGED_HEADER) != null);
        } else {
            decide.apply((IncidentCommand) record.value(), record.timestamp());
        }
    }

    /**
     * Refuses a command record that cannot be applied, before it leaves incident.commands.v1, so
     * Kafka's processing handler puts it on the DLQ with this message and its own topic and offset.
     */
    static void check(String key, IncidentCommand command) {
        if (command == null || !command.getIncidentId().equals(key)) {
            throw new IllegalArgumentException(command == null ? "no command in the record (null value)"
                    : "record key '" + key + "' is not the command's incident '" + command.getIncidentId() + "'");
        }
    }

    private void command(IncidentCommand command) {
        if (Correlate.partitionOf(command.getIncidentId()) == context.taskId().partition()) {
            decide.apply(command, command.getTimestamp().toEpochMilli());
        } else {
            context.forward(new Record<>(command.getIncidentId(), command, command.getTimestamp().toEpochMilli()));
        }
    }
}
