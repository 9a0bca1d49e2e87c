package dev.incidentengine.incident;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.incident.routing.Routes;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The incident domain is pure: decide and evolve, correlation, routing, reviews and facts know
 * nothing of Kafka, HTTP or the process they run in, so the streams apps, the CLI and the read
 * side can share them and tests need no broker.
 */
class DomainArchitectureTest {

    private static final JavaClasses DOMAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.incidentengine.incident");

    @Test
    void theDomainDoesNotUseKafka() {
        ArchRule rule = noClasses().that().resideInAnyPackage("dev.incidentengine.incident.domain..", "dev.incidentengine.incident.routing..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..")
                .because("the domain is pure: Kafka belongs to the streams apps that run it");
        rule.check(DOMAIN);
    }

    @Test
    void theDomainDoesNotUseTheServiceKitOrTheWeb() {
        ArchRule rule = noClasses().that().resideInAnyPackage("dev.incidentengine.incident.domain..", "dev.incidentengine.incident.routing..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.incidentengine.service..", "org.eclipse.jetty..",
                        "com.fasterxml.jackson..", "io.micrometer..")
                .because("services, HTTP, JSON and metrics wrap the domain; they do not reach into it");
        rule.check(DOMAIN);
    }

    @Test
    void theImportFoundTheDomain() {
        assertThat(DOMAIN.contain(IncidentLifecycle.class) && DOMAIN.contain(Routes.class)).isTrue();
    }
}
