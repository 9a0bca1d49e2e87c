package dev.incidentengine.status.domain;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** The status page's domain is pure: the writer app, the public site and tests share it without a broker or a server. */
class DomainArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.incidentengine.status");

    @Test
    void theDomainUsesNoKafkaWebJsonOrMetrics() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.incidentengine.status.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "dev.incidentengine.service..", "org.eclipse.jetty..",
                        "com.fasterxml.jackson..", "io.micrometer..")
                .because("Kafka, HTTP, JSON and metrics wrap the domain; they do not reach into it");
        rule.check(CLASSES);
    }

    @Test
    void theImportFoundTheDomain() {
        assertThat(CLASSES.contain(StatusPage.class) && CLASSES.contain(ComponentStatuses.class) && CLASSES.contain(PublicPage.class)
                && CLASSES.contain(ComponentUptime.class)).isTrue();
    }
}
