package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.ActionItem;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.PublicUpdateMissed;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentTypeChanged;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.ReviewStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.ResponseTargets;

/**
 * What an incident's log says about its response, for reviews and reports: when the first alert
 * fired (detected), opened, first acknowledged, last resolved and closed, by whom, its severity
 * now and at opening, its alerts and reopenings, its review and action items (folded as the
 * engine folds them).
 *
 * @param acknowledgedBy the person who acknowledged first; null when not a person
 * @param resolvedBy     the person who resolved last; null when not a person
 * @param published      when it went on the status page; null when it never did
 * @param publicUpdates  public updates posted, the first included
 * @param missedPublicUpdates public updates that were due and not posted in time (the owner was reminded)
 * @param missedPublicUpdatesDue when those were due, the first {@value #LISTED_MISSED_UPDATES}
 * @param incidentType its type now; null when none was set
 * @param tier its service's tier when it opened; null when none
 * @param responseTargets by severity, as its tier had them when it opened (empty: the engine's defaults)
 */
public record IncidentFacts(String id, String title, String service, Severity openedSeverity, Instant openedAt, Instant detected,
                     Instant acknowledged, String acknowledgedBy, Instant resolved, String resolvedBy, String resolution, Instant closed,
                     Severity severity, int alerts, int reopened, ReviewStatus review, List<ActionItem> actionItems,
                     Instant published, int publicUpdates, int missedPublicUpdates, List<Instant> missedPublicUpdatesDue,
                     String incidentType, String tier, Map<String, ResponseTarget> responseTargets) {

    /** Missed public updates listed by due time; the rest are counted (a publication forgotten for days reminds every period). */
    public static final int LISTED_MISSED_UPDATES = 20;

    /** The facts of a log; null when it holds no IncidentOpened. */
    public static IncidentFacts of(String id, List<IncidentEvent> events) {
        Fold fold = new Fold(id);
        events.forEach(fold::accept);
        return fold.facts();
    }

    /** How it was responded to: what its time to acknowledge and resolve, and its targets, are judged by. */
    public ResponseTimes response() {
        return new ResponseTimes(openedAt, severity, acknowledged, resolved, responseTargets);
    }

    public Duration toAcknowledge() {
        return response().toAcknowledge();
    }

    public Duration toResolve() {
        return response().toResolve();
    }

    /** A required review not published by its due time. */
    public boolean reviewOverdue(Instant now) {
        return Reviews.pending(review) && review.getDueAt().isBefore(now);
    }

    /** Action items not completed by their due time. */
    public List<ActionItem> overdueActionItems(Instant now) {
        return actionItems.stream().filter(item -> item.getCompletedAt() == null && item.getDueAt().isBefore(now)).toList();
    }

    /** The targets it is judged by: its tier's at its severity now, else the engine's default. */
    public ResponseTargets targets() {
        return response().target();
    }

    public boolean acknowledgedInTime() {
        return response().acknowledgedInTime();
    }

    public boolean resolvedInTime() {
        return response().resolvedInTime();
    }

    public boolean targetMet() {
        return response().targetMet();
    }

    /** The facts folded one event at a time, keeping only what they need (a report holds one per incident of the period). */
    public static final class Fold {
        private final String id;
        private String title;
        private String service;
        private Severity openedSeverity;
        private ResponseTimes response;
        private Instant detected;
        private String acknowledgedBy;
        private String resolvedBy;
        private String resolution;
        private Instant closed;
        private int alerts;
        private int reopened;
        private ReviewStatus review;
        private List<ActionItem> actionItems = List.of();
        private Instant published;
        private int publicUpdates;
        private int missedPublicUpdates;
        private final List<Instant> missedPublicUpdatesDue = new ArrayList<>();
        private String incidentType;
        private String tier;

        public Fold(String id) {
            this.id = id;
        }

        public boolean opened() {
            return response != null;
        }

        public String service() {
            return service;
        }

        /** Its type now; null when none. */
        public String incidentType() {
            return incidentType;
        }

        public void accept(IncidentEvent event) {
            Object payload = event.getPayload();
            Instant at = event.getTimestamp();
            String person = event.getActor().getType() == ActorType.USER ? event.getActor().getId() : null;
            if (payload instanceof IncidentOpened open) {
                title = open.getTitle();
                service = ResponseRollup.service(open);
                openedSeverity = open.getSeverity();
                response = ResponseTimes.opened(event, open);
                incidentType = open.getIncidentType();
                tier = open.getTier();
            } else if (response == null) {
                return;
            }
            if (payload instanceof IncidentAcknowledged && response.acknowledged() == null) {
                acknowledgedBy = person;
            } else if (payload instanceof IncidentResolved done) {
                resolvedBy = person;
                resolution = done.getResolution();
            }
            response = response.next(event);
            if (payload instanceof AlertAttached attached) {
                alerts++;
                Instant starts = attached.getAlert().getStartsAt();
                detected = detected == null || starts.isBefore(detected) ? starts : detected;
            } else if (payload instanceof IncidentReopened) {
                reopened++;
            } else if (payload instanceof IncidentClosed) {
                closed = at;
            } else if (payload instanceof IncidentPublished) {
                published = at;
                publicUpdates++;
            } else if (payload instanceof PublicUpdatePosted) {
                publicUpdates++;
            } else if (payload instanceof PublicUpdateMissed missed && missedPublicUpdates++ < LISTED_MISSED_UPDATES) {
                missedPublicUpdatesDue.add(missed.getDueAt());
            } else if (payload instanceof IncidentTypeChanged changed) {
                incidentType = changed.getTo();
            }
            review = Reviews.review(review, payload, at);
            actionItems = Reviews.actionItems(actionItems, payload, at);
        }

        /** Null until an IncidentOpened was folded. */
        public IncidentFacts facts() {
            return response == null ? null : new IncidentFacts(id, title, service, openedSeverity, response.openedAt(),
                    detected == null ? response.openedAt() : detected, response.acknowledged(), acknowledgedBy, response.resolved(), resolvedBy,
                    resolution, closed, response.severity(), alerts, reopened, review, actionItems, published, publicUpdates,
                    missedPublicUpdates, List.copyOf(missedPublicUpdatesDue), incidentType, tier, response.targets());
        }
    }
}
