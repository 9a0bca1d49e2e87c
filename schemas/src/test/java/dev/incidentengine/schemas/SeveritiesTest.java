package dev.incidentengine.schemas;

import java.util.Map;

import dev.incidentengine.model.Severity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeveritiesTest {

    @ParameterizedTest
    @CsvSource({"critical,SEV1", "CRITICAL,SEV1", "error,SEV2", "warning,SEV3", "info,SEV4", "P0,SEV0", "p3,SEV3",
            "SEV0,SEV0", "sev-2,SEV2", "Sev4,SEV4", "4,SEV4", "disaster,SEV0", "High,SEV2", "average,SEV3", "low,SEV4",
            "' warning ',SEV3"})
    void knownWordsMap(String text, Severity expected) {
        assertThat(Severities.parse(text)).contains(expected);
    }

    @ParameterizedTest
    @CsvSource({"urgent", "P5", "sev9", "''", "5"})
    void unknownWordsAreEmpty(String text) {
        assertThat(Severities.parse(text)).isEmpty();
    }

    @Test
    void labelsAreReadInOrderOfPreference() {
        assertThat(Severities.fromLabels(Map.of("priority", "P1", "severity", "warning"))).contains(Severity.SEV3);
        assertThat(Severities.fromLabels(Map.of("severity", "page-me", "priority", "P1"))).contains(Severity.SEV1);
        assertThat(Severities.fromLabels(Map.of("team", "x"))).isEmpty();
    }
}
