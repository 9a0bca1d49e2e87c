package dev.incidentengine.configdata;

import java.util.EnumSet;
import java.util.Set;

import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.schemas.ConfigFields;

import static dev.incidentengine.schemas.ConfigProblem.require;

/** A user's rules beyond the schema: contacts escalation-stream and the notifier can reach, rules that use them. */
final class UserChecks {

    private UserChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    static void check(UserConfig user) {
        ConfigFields.zone(user.getTimeZone(), "timeZone");
        Set<ContactType> types = EnumSet.noneOf(ContactType.class);
        for (int i = 0; i < user.getContacts().size(); i++) {
            ContactMethod contact = user.getContacts().get(i);
            String address = contact.getAddress();
            String field = "contacts[" + i + "].address";
            require(!address.isBlank(), field, "must not be blank");
            switch (contact.getType()) {
                case EMAIL -> require(ConfigFields.isEmail(address), field,
                        "must be an e-mail address such as alice@example.com, not '" + address + "'");
                case SMS, VOICE -> require(ConfigFields.isPhoneNumber(address), field,
                        "must be a phone number in E.164 form such as +4915100000001, not '" + address + "'");
                default -> {
                }
            }
            types.add(contact.getType());
        }
        for (int i = 0; i < user.getNotificationRules().size(); i++) {
            NotificationRule rule = user.getNotificationRules().get(i);
            String field = "notificationRules[" + i + "]";
            require(rule.getDelayMinutes() >= 0, field + ".delayMinutes", "must be 0 or more, not " + rule.getDelayMinutes());
            require(types.contains(rule.getContactType()), field + ".contactType",
                    rule.getContactType() + " but the user has no " + rule.getContactType() + " contact");
        }
    }
}
