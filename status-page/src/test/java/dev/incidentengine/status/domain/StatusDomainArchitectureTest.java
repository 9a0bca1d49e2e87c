package dev.incidentengine.status.domain;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** The status page's domain is pure: the page's fold and uptime know nothing of Kafka, HTTP, JSON or metrics. */
class StatusDomainArchitectureTest {

    private static final JavaClasses DOMAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.incidentengine.status.domain");

    @Test
    void theDomainIsPure() {
        noClasses().that().resideInAPackage("dev.incidentengine.status.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "dev.incidentengine.service..",
                        "org.eclipse.jetty..", "com.fasterxml.jackson..", "io.micrometer..")
                .because("the streams app, the public site and tests share the domain; Kafka, HTTP, JSON and metrics wrap it")
                .check(DOMAIN);
    }

    @Test
    void theImportFoundTheDomain() {
        assertThat(DOMAIN.contain(PublicPage.class) && DOMAIN.contain(ComponentUptime.class)).isTrue();
    }
}
