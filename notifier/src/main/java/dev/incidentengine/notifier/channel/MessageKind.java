package dev.incidentengine.notifier.channel;

import java.util.Locale;

/**
 * What a notification tells: a page to a person (or a request to take a response role), news about an incident for a subscribed channel, or a reminder to a
 * person that a published incident's public update is due.
 */
public enum MessageKind {
    PAGE, OPENED, ACKNOWLEDGED, RESOLVED, REOPENED, SEVERITY_CHANGED, STATUS_UPDATE, CLOSED, REVIEW_REQUIRED, PUBLIC_UPDATE_DUE, ROLE_REQUESTED;

    /** Addressed to a person's contact, each one a message of its own (never a channel's card updated in place). */
    public boolean toPerson() {
        return this == PAGE || this == PUBLIC_UPDATE_DUE || this == ROLE_REQUESTED;
    }

    /** The name templates and channel subscriptions use: {@code page}, {@code severity-changed}, … */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static MessageKind ofId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
