package dev.incidentengine.ticketing;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * A ticketing system the connector can be configured for ({@code ticket.system=<system>}): its settings, all named
 * {@code <system>.*}, and how to build its client from them. Credentials are {@link ConfigDef.Type#PASSWORD} settings, given
 * through a Connect config provider ({@code ${file:…}}, {@code ${env:…}}), never inline.
 */
public interface TicketSystemProvider {

    /** The value of {@code ticket.system} that selects it, and the {@code TicketRef.system} of its tickets. */
    String system();

    /** Adds the system's settings to the connector's; each with a validator, so a bad value is named by Connect's validation. */
    void define(ConfigDef def);

    /**
     * Its client, for a config that passed validation. What no single validator can check (one of two credentials, say) is
     * thrown here as a {@link org.apache.kafka.common.config.ConfigException} naming the setting: validation may call it.
     */
    TicketSystem create(AbstractConfig config, TicketHttp http);

    /** Whether people's changes are read back by polling ({@link TicketSystem#changesSince}); else by webhook. */
    boolean polled();
}
