package dev.incidentengine.notifier.channel;

import java.util.List;

import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.schemas.ConfigProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelChecksTest {

    @Test
    void aChannelHearsNews_notWhatIsAddressedToAPerson() {
        assertThat(ChannelChecks.EVENTS).contains("opened", "resolved", "review-required").doesNotContain("page", "public-update-due");
    }

    @Test
    void givenAChannel_thenItsAddressFitsItsType_itsSecretIsAName_andItsNewsAndSeveritiesAreKnown() {
        assertThatCode(() -> ChannelChecks.check(channel(ChannelType.SLACK, "C0123ABCD"))).doesNotThrowAnyException();
        assertThatCode(() -> ChannelChecks.check(channel(ChannelType.EMAIL, "a@example.com, b@example.com"))).doesNotThrowAnyException();

        assertThatThrownBy(() -> ChannelChecks.check(channel(ChannelType.SLACK, "#incidents"))).isInstanceOf(ConfigProblem.class)
                .hasMessageStartingWith("address: must be a Slack channel or member id");
        assertThatThrownBy(() -> ChannelChecks.check(channel(ChannelType.EMAIL, "a@example.com, nobody")))
                .hasMessage("address: 'nobody' is not an e-mail address");
        assertThatThrownBy(() -> ChannelChecks.check(channel(ChannelType.SMS, "0151")))
                .hasMessageStartingWith("address: must be a phone number in E.164 form");
        assertThatThrownBy(() -> ChannelChecks.check(channel(ChannelType.WEBHOOK, "ftp://example.com")))
                .hasMessage("address: must be an http(s) URL, not 'ftp://example.com'");
        assertThatThrownBy(() -> ChannelChecks.check(channel(ChannelType.PAGERDUTY, null)))
                .hasMessage("secret: must name the secret holding the PagerDuty routing key");

        ChannelConfig channel = channel(ChannelType.WEBHOOK, "https://hooks.example.com/x");
        channel.setSecret("../etc/passwd");
        assertThatThrownBy(() -> ChannelChecks.check(channel)).hasMessageStartingWith("secret: must be the name of a secrets file");
        channel.setSecret("hook.secret");
        channel.setEvents(List.of("opened", "page"));
        assertThatThrownBy(() -> ChannelChecks.check(channel)).hasMessage("events[1]: must be one of " + ChannelChecks.EVENTS + ", not 'page'");
        channel.setEvents(List.of());
        channel.setSeverities(List.of("critical"));
        assertThatThrownBy(() -> ChannelChecks.check(channel)).hasMessage("severities[0]: must be SEV0…SEV4, not 'critical'");
        channel.setSeverities(List.of());
        channel.setServices(List.of(""));
        assertThatThrownBy(() -> ChannelChecks.check(channel)).hasMessage("services[0]: must not be blank");
    }

    private static ChannelConfig channel(ChannelType type, String address) {
        return ChannelConfig.newBuilder().setId("c").setName("C").setType(type).setAddress(address).build();
    }
}
