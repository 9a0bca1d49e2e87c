package dev.incidentengine.schemas;

import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFieldsTest {

    @Test
    void sharedFieldRules_nameTheFieldTheyAreGiven() {
        assertThatCode(() -> ConfigFields.id("core-api-2", "id")).doesNotThrowAnyException();
        assertThatThrownBy(() -> ConfigFields.id("-x", "id")).isInstanceOf(ConfigProblem.class).hasMessageStartingWith("id: must be lower-case");
        assertThatThrownBy(() -> ConfigFields.id("a".repeat(65), "id")).isInstanceOf(ConfigProblem.class);
        assertThatCode(() -> ConfigFields.httpUrl("https://example.com/x", "url")).doesNotThrowAnyException();
        assertThatThrownBy(() -> ConfigFields.httpUrl("https:///x", "url")).hasMessage("url: must be an http(s) URL, not 'https:///x'");
        assertThatThrownBy(() -> ConfigFields.httpUrl(null, "url")).hasMessage("url: must be an http(s) URL, not 'null'");
        assertThatThrownBy(() -> ConfigFields.severities(List.of("SEV0", "SEV5"), "s")).hasMessage("s[1]: must be SEV0…SEV4, not 'SEV5'");
        assertThatThrownBy(() -> ConfigFields.notBlank(List.of("a", " "), "members")).hasMessage("members[1]: must not be blank");
        assertThatThrownBy(() -> ConfigFields.zone("Mars/Olympus", "timeZone"))
                .hasMessage("timeZone: must be an IANA time zone such as Europe/Berlin, not 'Mars/Olympus'");
    }

    @Test
    void addressesDaysAndTimes() {
        assertThat(ConfigFields.isEmail("alice@example.com")).isTrue();
        assertThat(ConfigFields.isEmail("alice")).isFalse();
        assertThat(ConfigFields.isPhoneNumber("+4915100000001")).isTrue();
        assertThat(ConfigFields.isPhoneNumber("015100000001")).isFalse();
        assertThat(ConfigFields.dayOfWeek(" friday ")).isEqualTo(DayOfWeek.FRIDAY);
        assertThat(ConfigFields.dayOfWeek("Fri")).isNull();
        assertThat(ConfigFields.isLocalTime("23:59")).isTrue();
        assertThat(ConfigFields.isLocalTime("24:00")).isFalse();
        assertThat(ConfigFields.zone("Europe/Berlin")).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(ConfigFields.zone(null)).isNull();
    }
}
