package dev.incidentengine.ticketing;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import dev.incidentengine.ticketing.github.GitHubProvider;
import dev.incidentengine.ticketing.jira.JiraProvider;
import dev.incidentengine.ticketing.redmine.RedmineProvider;
import dev.incidentengine.ticketing.servicenow.ServiceNowProvider;

/**
 * The ticketing systems the connector knows, by {@code ticket.system}: those it ships ({@link #ALL}) and providers of other
 * systems found by {@link ServiceLoader} in the plugin's directory ({@code META-INF/services/}{@link TicketSystemProvider}
 * in a jar placed next to the plugin's).
 */
public final class TicketSystems {

    public static final List<TicketSystemProvider> ALL = List.of(
            new RedmineProvider(),
            new JiraProvider(),
            new ServiceNowProvider(),
            new GitHubProvider());

    private static final List<TicketSystemProvider> ADDED = ServiceLoader.load(TicketSystemProvider.class, TicketSystems.class.getClassLoader())
            .stream().map(ServiceLoader.Provider::get).toList();

    private TicketSystems() {
    }

    public static Optional<TicketSystemProvider> named(String system) {
        return all().filter(provider -> provider.system().equals(system)).findFirst();
    }

    /** The values {@code ticket.system} takes. */
    public static List<String> names() {
        return all().map(TicketSystemProvider::system).toList();
    }

    private static Stream<TicketSystemProvider> all() {
        return Stream.concat(ALL.stream(), ADDED.stream());
    }
}
