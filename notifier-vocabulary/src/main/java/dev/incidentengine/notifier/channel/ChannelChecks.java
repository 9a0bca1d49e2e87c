package dev.incidentengine.notifier.channel;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.schemas.ConfigFields;

import static dev.incidentengine.schemas.ConfigProblem.require;

/** A channel's rules beyond its schema: an address of its type, a secret by name, news it can be sent. */
public final class ChannelChecks {

    /** A secret's name: a file in the notifier's secrets directory (so no path, no leading dot) or an INCIDENT_SECRET_ variable. */
    public static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /** The news a channel may subscribe to: not what is addressed to a person (pages, public update reminders). */
    public static final List<String> EVENTS = Arrays.stream(MessageKind.values()).filter(kind -> kind.templated() && !kind.toPerson()).map(MessageKind::id).toList();

    private static final Pattern SLACK_CONVERSATION = Pattern.compile("[CGDU][A-Z0-9]{6,}");

    private ChannelChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    public static void check(ChannelConfig channel) {
        String address = channel.getAddress();
        String field = "address";
        switch (channel.getType()) {
            case SLACK -> require(address != null && SLACK_CONVERSATION.matcher(address).matches(), field,
                    "must be a Slack channel or member id such as C0123ABCD, not '" + address + "'");
            case SLACK_WEBHOOK, TEAMS, WEBHOOK -> ConfigFields.httpUrl(address, field);
            case EMAIL -> {
                require(address != null, field, "must list e-mail addresses");
                for (String one : address.split(",")) {
                    require(ConfigFields.isEmail(one.strip()), field, "'" + one.strip() + "' is not an e-mail address");
                }
            }
            case SMS -> require(address != null && ConfigFields.isPhoneNumber(address), field,
                    "must be a phone number in E.164 form such as +4915100000001, not '" + address + "'");
            case PAGERDUTY -> {
                if (address != null) {
                    ConfigFields.httpUrl(address, field);
                }
                require(channel.getSecret() != null, "secret", "must name the secret holding the PagerDuty routing key");
            }
        }
        require(channel.getSecret() == null || SECRET_NAME.matcher(channel.getSecret()).matches(), "secret",
                "must be the name of a secrets file or INCIDENT_SECRET_ variable ([A-Za-z0-9_.-], not starting with '.'), not its value");
        for (int i = 0; i < channel.getEvents().size(); i++) {
            String kind = channel.getEvents().get(i);
            require(EVENTS.contains(kind), "events[" + i + "]", "must be one of " + EVENTS + ", not '" + kind + "'");
        }
        ConfigFields.severities(channel.getSeverities(), "severities");
        ConfigFields.notBlank(channel.getServices(), "services");
    }
}
