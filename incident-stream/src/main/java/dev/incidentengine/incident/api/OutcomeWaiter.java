package dev.incidentengine.incident.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.incident.query.IncidentQueries;
import dev.incidentengine.incident.query.IncidentQueries.Answer;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;

/**
 * Waits, on the instance that holds an incident, until the read side holds a command's outcome:
 * its result, the events it caused and the incident at the result's version. Looks every
 * {@link #EVERY}; a result of a command that changed nothing has no events to wait for.
 */
final class OutcomeWaiter implements AutoCloseable {

    /** A command's outcome with the events it caused and the incident as it stood then (or later). */
    record Outcome(CommandResult result, List<IncidentEvent> events, IncidentState incident) {
    }

    static final Duration EVERY = Duration.ofMillis(20);

    private final ScheduledExecutorService looking = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "incident-api-outcomes");
        thread.setDaemon(true);
        return thread;
    });

    /** Completes with the outcome once the read side holds it all; complete or cancel it to stop waiting. */
    CompletableFuture<Outcome> await(IncidentQueries queries, String incidentId, String commandId) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Runnable look = new Runnable() {
            @Override
            public void run() {
                if (outcome.isDone()) {
                    return;
                }
                try {
                    Optional<Outcome> found = find(queries, incidentId, commandId);
                    if (found.isPresent()) {
                        outcome.complete(found.get());
                        return;
                    }
                } catch (RuntimeException e) {
                    outcome.completeExceptionally(e);
                    return;
                }
                looking.schedule(this, EVERY.toMillis(), TimeUnit.MILLISECONDS);
            }
        };
        looking.execute(look);
        return outcome;
    }

    /** The outcome when this instance holds all of it now; a partition on the move is "not yet". */
    static Optional<Outcome> find(IncidentQueries queries, String incidentId, String commandId) {
        if (!(queries.result(incidentId, commandId) instanceof Answer.Here<Optional<CommandResult>> here) || here.value().isEmpty()) {
            return Optional.empty();
        }
        CommandResult result = here.value().get();
        List<IncidentEvent> events = new ArrayList<>();
        int caused = result.getEventIds().size();
        if (caused > 0) {
            // From the first sequence the command could have written: other commands' rejections may share those sequences.
            if (!(queries.events(incidentId, Long.toString(result.getSequence() - caused), 4 * caused + 16)
                    instanceof Answer.Here<List<IncidentQueries.LoggedEvent>> log)) {
                return Optional.empty();
            }
            for (IncidentQueries.LoggedEvent logged : log.value()) {
                if (result.getEventIds().contains(logged.event().getEventId())) {
                    events.add(logged.event());
                }
            }
            if (events.size() < caused) {
                return Optional.empty();
            }
        }
        if (!(queries.incident(incidentId) instanceof Answer.Here<Optional<IncidentState>> state) || state.value().isEmpty()
                || state.value().get().getVersion() < result.getSequence()) {
            return Optional.empty();
        }
        return Optional.of(new Outcome(result, events, state.value().get()));
    }

    @Override
    public void close() {
        looking.shutdownNow();
    }
}
