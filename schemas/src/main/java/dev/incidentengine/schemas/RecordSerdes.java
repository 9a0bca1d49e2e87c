package dev.incidentengine.schemas;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.Objects;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Serdes for topic key and value types: strings and bytes as they are, Avro records by the configured provider. */
public final class RecordSerdes {

    /** Class name of the {@link RecordSerdeProvider}. */
    public static final String PROVIDER_CLASS_CONFIG = "serde.provider.class";
    public static final String PROVIDER_CLASS_DEFAULT = SingleObjectSerdeProvider.class.getName();

    private final RecordSerdeProvider provider;

    public RecordSerdes(RecordSerdeProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /** The default single-object encoding. */
    public static RecordSerdes singleObject() {
        return new RecordSerdes(new SingleObjectSerdeProvider());
    }

    /** Loads the provider named by {@link #PROVIDER_CLASS_CONFIG} (default: single-object encoding) and configures it. */
    public static RecordSerdes fromConfig(Map<String, ?> configs) {
        Object name = configs.get(PROVIDER_CLASS_CONFIG);
        String className = name == null ? PROVIDER_CLASS_DEFAULT : name.toString();
        RecordSerdeProvider provider;
        try {
            provider = Class.forName(className).asSubclass(RecordSerdeProvider.class).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException | ClassCastException | NoSuchMethodException | InstantiationException
                 | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException(PROVIDER_CLASS_CONFIG + ": cannot use " + className + " (" + e + ")", e);
        }
        provider.configure(configs);
        return new RecordSerdes(provider);
    }

    @SuppressWarnings("unchecked")
    public <T> Serde<T> serde(Class<T> type, boolean isKey) {
        if (type == String.class) {
            return (Serde<T>) Serdes.String();
        }
        if (type == byte[].class) {
            return (Serde<T>) Serdes.ByteArray();
        }
        if (SpecificRecord.class.isAssignableFrom(type)) {
            return (Serde<T>) provider.serde(type.asSubclass(SpecificRecord.class), isKey);
        }
        throw new IllegalArgumentException("No serde for " + type.getName());
    }
}
