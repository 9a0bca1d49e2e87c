package dev.incidentengine.incident.domain;

import java.util.Objects;

import dev.incidentengine.model.TicketRef;

/** What a linked ticket must be: its limits, and when two links are the same ticket. */
public final class Tickets {

    /** Tickets of one incident and its action items: more would be a connector gone wrong, not a real incident. */
    public static final int MAX_PER_INCIDENT = 200;
    public static final int MAX_SYSTEM = 32;
    public static final int MAX_KEY = 200;
    public static final int MAX_URL = 2_000;

    private Tickets() {
    }

    /** Why the ticket cannot be linked, or null. */
    public static String invalid(TicketRef ticket) {
        if (blankOrLonger(ticket.getSystem(), MAX_SYSTEM)) {
            return "a ticket's system must be 1 to " + MAX_SYSTEM + " characters";
        }
        if (blankOrLonger(ticket.getKey(), MAX_KEY)) {
            return "a ticket's key must be 1 to " + MAX_KEY + " characters";
        }
        String url = ticket.getUrl();
        if (blankOrLonger(url, MAX_URL) || !(url.startsWith("https://") || url.startsWith("http://"))) {
            return "a ticket's url must be an http(s) URL of at most " + MAX_URL + " characters";
        }
        return null;
    }

    /** The same ticket for the same subject: a link made again. */
    public static boolean same(TicketRef a, TicketRef b) {
        return a.getSystem().equals(b.getSystem()) && a.getKey().equals(b.getKey())
                && Objects.equals(a.getActionItemId(), b.getActionItemId());
    }

    private static boolean blankOrLonger(String text, int max) {
        return text == null || text.isBlank() || text.length() > max;
    }
}
