package dev.incidentengine.notifier.channel;

import java.util.Locale;

/**
 * What a notification tells: a page to a person (or a request to take a response role), news about an incident for a
 * subscribed channel, a reminder to a person that a published incident's public update is due, or a test message that proves a contact or channel works
 * ({@code incidentctl test-notify}; about no incident).
 */
public enum MessageKind {
    PAGE, OPENED, ACKNOWLEDGED, RESOLVED, REOPENED, SEVERITY_CHANGED, STATUS_UPDATE, CLOSED, REVIEW_REQUIRED, PUBLIC_UPDATE_DUE,
    /** A person is asked to take a response role nobody took (an Incident Commander for a SEV1, say). */
    ROLE_REQUESTED,
    /** A test message ({@code incidentctl test-notify}): about no incident. */
    TEST,
    /** The war room's steps ({@code SlackWarRoomChannel} in the notifier): built by the war room planner, not rendered from templates. */
    WAR_ROOM_OPEN, WAR_ROOM_INVITE, WAR_ROOM_PIN, WAR_ROOM_ARCHIVE;

    /** Rendered from the notifier's templates (and so a kind config may write templates for). */
    public boolean templated() {
        return !name().startsWith("WAR_ROOM_");
    }

    /** Each one a message of its own (never a channel's card updated in place): a person's, or a test. */
    public boolean toPerson() {
        return this == PAGE || this == PUBLIC_UPDATE_DUE || this == ROLE_REQUESTED || this == TEST;
    }

    /** The name templates and channel subscriptions use: {@code page}, {@code severity-changed}, … */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static MessageKind ofId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
