package dev.incidentengine.ticketing;

import java.util.List;
import java.util.Optional;

import dev.incidentengine.ticketing.redmine.RedmineProvider;

/** The ticketing systems the connector knows, by {@code ticket.system}. */
public final class TicketSystems {

    public static final List<TicketSystemProvider> ALL = List.of(
            new RedmineProvider());

    private TicketSystems() {
    }

    public static Optional<TicketSystemProvider> named(String system) {
        return ALL.stream().filter(provider -> provider.system().equals(system)).findFirst();
    }
}
