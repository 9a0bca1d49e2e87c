package dev.incidentengine.incident.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.incidentengine.model.ActionItem;
import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ReviewPublished;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.ReviewStatus;

/**
 * How the review events fold into an incident's review and action items: part of {@link
 * IncidentLifecycle#evolve}, and on their own for readers that keep no whole state (incidentctl's report).
 */
public final class Reviews {

    private Reviews() {
    }

    /** A review required and not published yet: what is owed (and overdue once its due time passed). */
    public static boolean pending(ReviewStatus review) {
        return review != null && review.getRequired() && review.getPublishedAt() == null;
    }

    /** The review after an event at {@code at}; {@code review} itself for events that do not touch it. */
    public static ReviewStatus review(ReviewStatus review, Object payload, Instant at) {
        if (payload instanceof ReviewRequired required) {
            return review == null ? new ReviewStatus(required.getRequired(), at, required.getDueAt(), null, null)
                    : ReviewStatus.newBuilder(review).setRequired(review.getRequired() || required.getRequired())
                            .setDueAt(required.getDueAt()).build();
        }
        if (payload instanceof ReviewPublished published) {
            return review == null ? new ReviewStatus(false, at, at, at, published.getUrl())
                    : ReviewStatus.newBuilder(review).setPublishedAt(at).setUrl(published.getUrl()).build();
        }
        return review;
    }

    /** The action items after an event at {@code at}; {@code items} itself for events that do not touch them. */
    public static List<ActionItem> actionItems(List<ActionItem> items, Object payload, Instant at) {
        if (payload instanceof ActionItemAdded added) {
            List<ActionItem> more = new ArrayList<>(items);
            more.add(new ActionItem(added.getActionItemId(), added.getTitle(), added.getOwner(), added.getDueAt(), added.getPriority(),
                    added.getLink(), at, null));
            return more;
        }
        if (payload instanceof ActionItemCompleted completed) {
            return items.stream().map(item -> item.getActionItemId().equals(completed.getActionItemId()) && item.getCompletedAt() == null
                    ? ActionItem.newBuilder(item).setCompletedAt(at).build() : item).toList();
        }
        return items;
    }
}
