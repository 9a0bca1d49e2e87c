package dev.incidentengine.ingest.normalize;

import java.time.DateTimeException;
import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Rfc3339Test {

    @ParameterizedTest
    @CsvSource({
            "2026-11-22T09:00:00Z, 2026-11-22T09:00:00Z",
            "2026-11-22t09:00:00z, 2026-11-22T09:00:00Z",
            "2026-11-22 09:00:00Z, 2026-11-22T09:00:00Z",
            "2026-11-22T09:00:00.5Z, 2026-11-22T09:00:00.500Z",
            "2026-11-22T09:00:00.123456789Z, 2026-11-22T09:00:00.123456789Z",
            "2026-11-22T10:30:00+01:30, 2026-11-22T09:00:00Z",
            "2026-11-22T04:00:00-05:00, 2026-11-22T09:00:00Z",
            "2026-11-22T09:15:02.000+0000, 2026-11-22T09:15:02Z",
            "0001-01-01T00:00:00Z, 0001-01-01T00:00:00Z"})
    void readsWhatSendersWrite(String text, String expected) {
        assertThat(Rfc3339.parse(text)).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-22", "2026-11-22T09:00:00", "2026-13-22T09:00:00Z", "2026-11-31T09:00:00Z",
            "2026-11-22T25:00:00Z", "2026-11-22T09:00:00.Z", "2026-11-22T09:00:00.1234567891Z", "2026-11-22T09:00:00+1",
            "2026-11-22T09:00:00+01:00x", "22/11/2026 09:00:00Z", "2026-11-22T09:0a:00Z", "1700000000"})
    void refusesEverythingElse(String text) {
        assertThatThrownBy(() -> Rfc3339.parse(text)).isInstanceOf(DateTimeException.class);
    }
}
