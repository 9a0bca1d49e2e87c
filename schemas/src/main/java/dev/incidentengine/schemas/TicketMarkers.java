package dev.incidentengine.schemas;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The label that marks a ticket as an incident's (or one of its action items'), in the systems that find tickets by label
 * (Jira, GitHub): {@code incident-engine:INC-20261205-3-0001} or {@code incident-engine:INC-20261205-3-0001/AI-2}. The
 * ticketing connector writes it and searches by it; the engine's webhook receivers read the incident back from it. No spaces
 * (Jira refuses them in labels) and at most 50 characters for the ids the engine makes (GitHub's limit for a label's name).
 */
public final class TicketMarkers {

    public static final String LABEL_PREFIX = "incident-engine:";
    private static final Pattern LABEL = Pattern.compile(Pattern.quote(LABEL_PREFIX) + "([A-Za-z0-9][A-Za-z0-9._-]*)(?:/(AI-[0-9]+))?");

    /** What a marker label names: the incident, and the action item when the ticket tracks one. */
    public record Marked(String incidentId, String actionItemId) {
    }

    private TicketMarkers() {
    }

    /** The label for a subject's marker ({@code INC-…} or {@code INC-…/AI-n}). */
    public static String label(String marker) {
        return LABEL_PREFIX + marker;
    }

    /** The incident (and action item) a label marks, if it is a marker label. */
    public static Optional<Marked> parse(String label) {
        Matcher matcher = LABEL.matcher(label);
        return matcher.matches() ? Optional.of(new Marked(matcher.group(1), matcher.group(2))) : Optional.empty();
    }
}
