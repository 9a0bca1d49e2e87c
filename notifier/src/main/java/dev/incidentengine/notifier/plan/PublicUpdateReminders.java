package dev.incidentengine.notifier.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.PagePlan;
import dev.incidentengine.model.PublicUpdateMissed;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.plan.Planner.Send;

/**
 * A published incident went without a public update past its cadence ({@code PublicUpdateMissed}): its owner hears of
 * it as a {@code public-update-due} message. Who: the user the event names (the assignee), else whoever the incident's
 * plan pages. How: through the user's contact rules, the immediate ones (delay 0) at once; a reminder is not a page, so
 * nothing escalates and nothing waits for the delayed ones. A user without rules gets their first contact.
 */
final class PublicUpdateReminders {

    private PublicUpdateReminders() {
    }

    /** One send per user reminded; {@link #contacts} picks their contacts when it is addressed. */
    static List<Send> sends(IncidentEvent event, PublicUpdateMissed missed, NotificationPlan plan) {
        Set<String> users = new LinkedHashSet<>();
        if (missed.getRemind() != null) {
            users.add(missed.getRemind());
        } else {
            plan.getPages().stream().map(PagePlan::getUserId).forEach(users::add);
        }
        List<Send> sends = new ArrayList<>(users.size());
        for (String user : users) {
            sends.add(new Send(MessageKind.PUBLIC_UPDATE_DUE, event.getEventId(), event, user, 0, 0, null));
        }
        return sends;
    }

    /** The contact types a reminder to {@code user} goes to: the immediate rules', else the first rule's, else the first contact's. */
    static List<String> contacts(UserConfig user) {
        List<String> immediate = user.getNotificationRules().stream().filter(rule -> rule.getDelayMinutes() == 0)
                .map(rule -> rule.getContactType().name()).distinct().toList();
        if (!immediate.isEmpty()) {
            return immediate;
        }
        if (!user.getNotificationRules().isEmpty()) {
            NotificationRule first = user.getNotificationRules().get(0);
            return List.of(first.getContactType().name());
        }
        return user.getContacts().stream().findFirst().map(ContactMethod::getType).map(Enum::name).map(List::of).orElse(List.of());
    }
}
