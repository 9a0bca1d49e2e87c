package dev.incidentengine.notifier.template;

import java.util.Arrays;
import java.util.Map;

import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.schemas.ConfigProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateKeysTest {

    @Test
    void theKindsAreTheTemplatedMessageKinds_inTheirOrder() {
        assertThat(TemplateKeys.KINDS).hasSize((int) Arrays.stream(MessageKind.values()).filter(MessageKind::templated).count())
                .startsWith("page", "opened").contains("severity-changed", "public-update-due").doesNotContain("war-room-open")
                .allSatisfy(kind -> assertThat(MessageKind.ofId(kind).id()).isEqualTo(kind));
    }

    @Test
    void givenOverrides_thenKeysAreKindOrChannelSlashKind_andTemplatesMustCompile() {
        assertThatCode(() -> TemplateKeys.check(Map.of("page.title", "{{incident.id}}", "email/resolved.html", "<p>{{incident.id}}</p>",
                "slack-webhook/severity-changed.text", "x"), "notificationTemplates")).doesNotThrowAnyException();

        assertThatThrownBy(() -> TemplateKeys.check(Map.of("pager.title", "x"), "notificationTemplates")).isInstanceOf(ConfigProblem.class)
                .hasMessageStartingWith("notificationTemplates.pager.title: is not a template key: [<channel>/]<kind>.<part>, kinds [page, opened,")
                .hasMessageEndingWith("parts title, text, html");
        assertThatThrownBy(() -> TemplateKeys.check(Map.of("fax/page.title", "x"), "notificationTemplates"))
                .hasMessageStartingWith("notificationTemplates.fax/page.title: is not a template key");
        assertThatThrownBy(() -> TemplateKeys.check(Map.of("page.subject", "x"), "notificationTemplates"))
                .hasMessageStartingWith("notificationTemplates.page.subject: is not a template key");
        assertThatThrownBy(() -> TemplateKeys.check(Map.of("page.title", "{{#incident}}unclosed"), "notificationTemplates"))
                .hasMessageStartingWith("notificationTemplates.page.title: the template does not compile (");
    }
}
