package dev.incidentengine.notifier.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.LinkWarRoom;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.PagePlan;
import dev.incidentengine.model.RecordWarRoomArchived;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.TicketLinked;
import dev.incidentengine.model.WarRoom;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.channel.Markup;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.channel.SlackWarRoomChannel;

/**
 * Decides an incident's war room. Pure: the incident's {@link Room} (null: none), an event, result or due archive in; the
 * new room, the requests for {@link SlackWarRoomChannel}, the commands for the incident and the archive's time out.
 *
 * <p>An incident of a configured severity (at open, or raised into one later), drills included, gets a room: its service's
 * team's {@code warRoomUrl} when it has one (recorded at once, {@code LinkWarRoom} with system {@code teams}), else, with a
 * Slack bot token, a Slack channel {@code incident-<id>}. The channel's steps are ordered by waiting for results: the
 * open's result links the room ({@code LinkWarRoom}) and only then are the responders invited and links pinned (those that
 * came meanwhile wait in the room); the archive is due {@code archiveAfter} after close, and its result records
 * {@code RecordWarRoomArchived}. Delivery ids and command ids derive from the incident (and the attempt), so a repeat is
 * nothing new for the sender's ledger or the incident.
 */
public final class WarRooms {

    /** Timer keys of war rooms in the planner's timer store: this, then the incident id. */
    public static final String TIMER_PREFIX = "warroom|";
    static final Actor ACTOR = new Actor(ActorType.SYSTEM, "notifier", "War room");
    /** Responders and links waiting for the channel, at most. */
    static final int MAX_WAITING = 100;
    /** Opens tried per incident while Slack fails; each further event of the incident tries again. */
    static final int MAX_ATTEMPTS = 10;
    static final Duration ARCHIVE_RETRY = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param severities what gets a war room (SEV0, SEV1)
     * @param slack      a Slack bot token is configured: rooms without a team link are Slack channels
     * @param slackLink  what a channel id is appended to for its link (https://slack.com/app_redirect?channel=)
     * @param consoleUrl the console's base URL for the incident's link; null leaves it out
     */
    public record Settings(Set<String> severities, boolean slack, Duration archiveAfter, String slackLink, String consoleUrl) {
    }

    /** Users, services and teams from config. */
    public interface Directory {
        UserConfig user(String id);

        ServiceConfig service(String id);

        TeamConfig team(String id);
    }

    public enum State { WAITING, CREATING, FAILED, LINKED, EXTERNAL }

    /** What is kept per incident with a room, or waiting for one (a drill below the severities); stored as JSON. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Room {
        public String incidentId;
        public String title;
        public String severity;
        public String service;
        public String drill;
        public State state = State.WAITING;
        public int attempt;
        public String channelId;
        public String name;
        public String url;
        /** Epoch millis; null while open. */
        public Long closedAt;
        public List<String> invite = new ArrayList<>();
        public List<String> pins = new ArrayList<>();

        public String json() {
            try {
                return JSON.writeValueAsString(this);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        public static Room parse(String json) {
            try {
                return json == null ? null : JSON.readValue(json, Room.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("unreadable war room: " + e.getMessage(), e);
            }
        }
    }

    /** The new room (null: forget it), what to send, what to tell the incident, and when to archive (null: no new time). */
    public record Changes(Room room, List<NotificationRequest> requests, List<IncidentCommand> commands, Instant archiveAt) {
    }

    /** No incident gets a war room. */
    public static final WarRooms NONE = new WarRooms(new Settings(Set.of(), false, Duration.ofDays(1), "", null));

    private final Settings settings;

    public WarRooms(Settings settings) {
        this.settings = settings;
    }

    /** Whether the event can change a war room: not an alert attached (a storm's bulk). */
    public static boolean concerns(IncidentEvent event) {
        return !(event.getPayload() instanceof AlertAttached);
    }

    /**
     * @param plan  the incident's notification plan after the event (title, severity, service, who was paged); null if unknown
     * @param fresh the event is recent: an old one (a replay) opens no room
     */
    public Changes onEvent(Room current, NotificationPlan plan, IncidentEvent event, boolean fresh, Directory directory, Instant now) {
        Object payload = event.getPayload();
        Step step = new Step(current, now);
        if (payload instanceof IncidentOpened opened && current == null) {
            Room room = new Room();
            room.incidentId = event.getIncidentId();
            room.title = opened.getTitle();
            room.severity = opened.getSeverity().name();
            room.service = opened.getService();
            room.drill = opened.getDrill();
            step.room = room;
            if (settings.severities().contains(room.severity) && fresh) {
                want(step, directory);
            }
            // Only a drill is remembered below the severities: a later raise must still know it is one.
            if (step.room.state == State.WAITING && room.drill == null) {
                step.room = null;
            }
            return step.changes();
        }
        if (payload instanceof SeverityChanged changed && plan != null && fresh && settings.severities().contains(changed.getTo().name())
                && !plan.getStatus().equals(IncidentStatus.CLOSED.name()) && (current == null || current.state == State.WAITING)) {
            Room room = current != null ? current : new Room();
            room.incidentId = event.getIncidentId();
            room.title = plan.getTitle();
            room.severity = changed.getTo().name();
            room.service = plan.getServiceId();
            step.room = room;
            want(step, directory);
            return step.changes();
        }
        if (current == null) {
            return step.changes();
        }
        if (current.state == State.FAILED && fresh && current.attempt < MAX_ATTEMPTS && concerns(event)
                && !(payload instanceof IncidentClosed)) {
            want(step, directory); // Slack failed the open: the incident's next news tries again
        }
        if (payload instanceof IncidentEscalated escalated) {
            List<String> users = new ArrayList<>();
            for (EscalationTarget target : escalated.getTargets()) {
                target.getPlans().stream().map(ContactPlan::getUserId).forEach(users::add);
            }
            invite(step, users, event.getEventId(), directory);
        } else if (payload instanceof RoleAssigned assigned && assigned.getUserId() != null) {
            invite(step, List.of(assigned.getUserId()), event.getEventId(), directory);
        } else if (payload instanceof RunbookAttached runbook && runbook.getUrl() != null) {
            pin(step, "Runbook: " + runbook.getTitle(), runbook.getUrl(), event.getEventId());
        } else if (payload instanceof TicketLinked linked && linked.getTicket().getActionItemId() == null) {
            pin(step, "Ticket " + linked.getTicket().getKey(), linked.getTicket().getUrl(), event.getEventId());
        } else if (payload instanceof IncidentClosed) {
            closed(step, event.getTimestamp());
        }
        return step.changes();
    }

    /** A war room step ended; {@code plan} is the incident's notification plan, null once it closed. */
    public Changes onResult(Room current, NotificationPlan plan, NotificationResult result, Directory directory, Instant now) {
        Step step = new Step(current, now);
        if (current == null || !result.getChannel().equals(SlackWarRoomChannel.NAME)) {
            return step.changes();
        }
        boolean delivered = result.getOutcome() == DeliveryOutcome.DELIVERED;
        String kind = result.getKind();
        if (kind.equals(MessageKind.WAR_ROOM_OPEN.id()) && current.state == State.CREATING
                && result.getDeliveryId().equals(deliveryId(current, MessageKind.WAR_ROOM_OPEN, Integer.toString(current.attempt)))) {
            String provider = result.getProviderMessageId();
            int slash = provider == null ? -1 : provider.indexOf('/');
            if (!delivered || slash <= 0) {
                current.state = State.FAILED;
                return step.changes();
            }
            current.state = State.LINKED;
            current.channelId = provider.substring(0, slash);
            current.name = provider.substring(slash + 1);
            current.url = settings.slackLink() + current.channelId;
            step.commands.add(command(current, "warroom-link:" + current.incidentId + ":slack:" + current.channelId,
                    new LinkWarRoom(new WarRoom("slack", current.channelId, "#" + current.name, current.url)), now));
            Set<String> users = new LinkedHashSet<>(current.invite);
            if (plan != null) {
                plan.getPages().stream().map(PagePlan::getUserId).forEach(users::add);
            }
            current.invite = new ArrayList<>();
            invite(step, List.copyOf(users), "linked", directory);
            List<String> pins = current.pins;
            current.pins = new ArrayList<>();
            for (int i = 0; i < pins.size(); i++) {
                String[] pin = pins.get(i).split("\n", 2);
                pin(step, pin[0], pin[1], "linked-" + i);
            }
            if (current.closedAt != null) {
                Instant due = Instant.ofEpochMilli(current.closedAt).plus(settings.archiveAfter());
                step.archiveAt = due.isAfter(now) ? due : now;
            }
        } else if (kind.equals(MessageKind.WAR_ROOM_ARCHIVE.id()) && current.state == State.LINKED) {
            if (delivered) {
                step.commands.add(command(current, "warroom-archived:" + current.incidentId + ":" + current.channelId,
                        new RecordWarRoomArchived(current.channelId), now));
                step.room = null;
            } else {
                current.attempt++;
                step.archiveAt = now.plus(ARCHIVE_RETRY); // Slack down or refusing: the archive is tried again later
            }
        }
        return step.changes();
    }

    /** The archive's time came. */
    public Changes onDue(Room current, Instant now) {
        Step step = new Step(current, now);
        if (current != null && current.state == State.LINKED && current.closedAt != null) {
            step.requests.add(request(current, MessageKind.WAR_ROOM_ARCHIVE, Integer.toString(current.attempt), current.channelId,
                    "archive", "archive", null, now));
        }
        return step.changes();
    }

    /** The channel's name: {@code incident-} and the incident's id, lowercased, in Slack's alphabet, at most 80 characters. */
    static String channelName(String incidentId) {
        String name = "incident-" + incidentId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        return name.length() <= 80 ? name : name.substring(0, 80);
    }

    private void want(Step step, Directory directory) {
        Room room = step.room;
        TeamConfig team = teamWithRoom(room.service, directory);
        if (team != null) {
            room.state = State.EXTERNAL;
            step.commands.add(command(room, "warroom-link:" + room.incidentId + ":teams",
                    new LinkWarRoom(new WarRoom("teams", null, team.getName() + " war room", Markup.httpLink(team.getWarRoomUrl()))), step.now));
        } else if (settings.slack()) {
            room.state = State.CREATING;
            room.attempt++;
            String title = (room.drill != null ? "DRILL " : "") + "[" + room.severity + "] " + room.title;
            step.requests.add(request(room, MessageKind.WAR_ROOM_OPEN, Integer.toString(room.attempt), channelName(room.incidentId),
                    Markup.slack(title), summary(room), consoleUrl(room), step.now));
        }
    }

    /** The service's team, if it names a standing room (an http(s) link). */
    private static TeamConfig teamWithRoom(String serviceId, Directory directory) {
        ServiceConfig service = serviceId == null ? null : directory.service(serviceId);
        TeamConfig team = service == null || service.getTeamId() == null ? null : directory.team(service.getTeamId());
        return team == null || Markup.httpLink(team.getWarRoomUrl()) == null ? null : team;
    }

    private String summary(Room room) {
        StringBuilder text = new StringBuilder();
        if (room.drill != null) {
            text.append("*DRILL* (scenario ").append(Markup.slack(room.drill)).append("): practice, not a real incident.\n");
        }
        text.append("War room of incident ").append(Markup.slack(room.incidentId)).append(": *").append(Markup.slack(room.title))
                .append("*\nSeverity ").append(room.severity);
        if (room.service != null) {
            text.append(" · service ").append(Markup.slack(room.service));
        }
        String url = consoleUrl(room);
        if (url != null) {
            text.append("\n").append(link(url, "The incident in the console"));
        }
        return text.toString();
    }

    private void invite(Step step, List<String> userIds, String cause, Directory directory) {
        Room room = step.room;
        if (room.state == State.CREATING) {
            userIds.stream().filter(user -> !room.invite.contains(user)).limit(Math.max(0, MAX_WAITING - room.invite.size()))
                    .forEach(room.invite::add);
        } else if (room.state == State.LINKED) {
            List<String> slackIds = new ArrayList<>();
            List<String> invited = new ArrayList<>();
            for (String userId : userIds) {
                UserConfig user = directory.user(userId);
                String slackId = user == null ? null : user.getContacts().stream().filter(contact -> contact.getType() == ContactType.SLACK)
                        .map(ContactMethod::getAddress).findFirst().orElse(null);
                if (slackId != null && !slackIds.contains(slackId.strip())) {
                    slackIds.add(slackId.strip());
                    invited.add(userId);
                }
            }
            if (!slackIds.isEmpty()) {
                NotificationRequest request = request(room, MessageKind.WAR_ROOM_INVITE, cause, room.channelId, "invite",
                        String.join(",", slackIds), null, step.now);
                request.setTarget(String.join(",", invited));
                step.requests.add(request);
            }
        }
    }

    private void pin(Step step, String label, String url, String cause) {
        Room room = step.room;
        String link = Markup.httpLink(url);
        if (link == null) {
            return;
        }
        if (room.state == State.CREATING && room.pins.size() < MAX_WAITING) {
            room.pins.add(label.replace('\n', ' ') + "\n" + link);
        } else if (room.state == State.LINKED) {
            step.requests.add(request(room, MessageKind.WAR_ROOM_PIN, cause, room.channelId, Markup.slack(label), link(link, label), null,
                    step.now));
        }
    }

    private void closed(Step step, Instant at) {
        Room room = step.room;
        room.closedAt = at.toEpochMilli();
        switch (room.state) {
            case LINKED -> step.archiveAt = at.plus(settings.archiveAfter());
            case CREATING -> { } // archived once the channel's open answers
            default -> step.room = null; // nothing to archive: a link, or no room
        }
    }

    private String consoleUrl(Room room) {
        return settings.consoleUrl() == null ? null : settings.consoleUrl() + "/incidents/" + room.incidentId;
    }

    /** A Slack mrkdwn link: the URL kept from closing the link early, the label escaped. */
    private static String link(String url, String label) {
        return "<" + url.replace(">", "%3E").replace("|", "%7C") + "|" + Markup.slack(label).replace("|", "¦") + ">";
    }

    private static String deliveryId(Room room, MessageKind kind, String cause) {
        return TIMER_PREFIX + room.incidentId + "|" + kind.id() + "|" + cause;
    }

    private static NotificationRequest request(Room room, MessageKind kind, String cause, String address, String title, String text,
                                               String url, Instant now) {
        return NotificationRequest.newBuilder()
                .setDeliveryId(deliveryId(room, kind, cause))
                .setIncidentId(room.incidentId)
                .setEventId(cause)
                .setKind(kind.id())
                .setChannel(SlackWarRoomChannel.NAME)
                .setTarget(address)
                .setAddress(address)
                .setTitle(title)
                .setText(text)
                .setUrl(url)
                .setSeverity(room.severity)
                .setStatus(room.closedAt == null ? "OPEN" : IncidentStatus.CLOSED.name())
                .setService(room.service == null ? "" : room.service)
                .setRequestedAt(now)
                .build();
    }

    private static IncidentCommand command(Room room, String commandId, Object payload, Instant now) {
        return IncidentCommand.newBuilder().setCommandId(commandId).setIncidentId(room.incidentId).setActor(ACTOR).setTimestamp(now)
                .setPayload(payload).build();
    }

    /** The changes being made. */
    private static final class Step {
        Room room;
        final Instant now;
        final List<NotificationRequest> requests = new ArrayList<>();
        final List<IncidentCommand> commands = new ArrayList<>();
        Instant archiveAt;

        Step(Room room, Instant now) {
            this.room = room;
            this.now = now;
        }

        Changes changes() {
            return new Changes(room, requests, commands, archiveAt);
        }
    }
}
