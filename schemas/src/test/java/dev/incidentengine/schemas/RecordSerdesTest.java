package dev.incidentengine.schemas;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.incidentengine.model.Alert;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordSerdesTest {

    /** Stands in for a registry serde plugged in by class name. */
    public static final class RecordingProvider implements RecordSerdeProvider {
        static final AtomicReference<Map<String, ?>> CONFIGURED = new AtomicReference<>();

        @Override
        public void configure(Map<String, ?> configs) {
            CONFIGURED.set(configs);
        }

        @Override
        public <T extends SpecificRecord> Serde<T> serde(Class<T> type, boolean isKey) {
            return new SingleObjectAvroSerde<>(type);
        }
    }

    @Test
    void givenNoProviderConfigured_thenSingleObjectEncoding() {
        RecordSerdes serdes = RecordSerdes.fromConfig(Map.of());

        assertThat(serdes.serde(Alert.class, false)).isInstanceOf(SingleObjectAvroSerde.class);
        assertThat(serdes.serde(String.class, true)).isInstanceOf(Serdes.String().getClass());
        assertThat(serdes.serde(byte[].class, true)).isInstanceOf(Serdes.ByteArray().getClass());
    }

    @Test
    void givenProviderClassName_thenItIsLoadedAndConfigured() {
        Map<String, Object> config = Map.of(RecordSerdes.PROVIDER_CLASS_CONFIG, RecordingProvider.class.getName(),
                "schema.registry.url", "http://registry:8081");

        RecordSerdes.fromConfig(config).serde(Alert.class, false);

        assertThat(RecordingProvider.CONFIGURED.get().get("schema.registry.url")).isEqualTo("http://registry:8081");
    }

    @Test
    void givenUnknownProviderClass_thenClearError() {
        assertThatThrownBy(() -> RecordSerdes.fromConfig(Map.of(RecordSerdes.PROVIDER_CLASS_CONFIG, "com.example.Nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serde.provider.class")
                .hasMessageContaining("com.example.Nope");
    }

    @Test
    void givenTypeWithoutSerde_thenClearError() {
        assertThatThrownBy(() -> RecordSerdes.singleObject().serde(Integer.class, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Integer");
    }
}
