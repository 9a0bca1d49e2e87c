package dev.incidentengine.status;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.StatusPageConfig;

/** What the page's writer reads, from whichever topic: tagged where the streams merge, so a tombstone keeps its origin. */
sealed interface PageInput {

    record Incident(IncidentEvent event) implements PageInput {
    }

    record Command(StatusPageCommand command) implements PageInput {
    }

    /** @param config null: the page's config record was deleted */
    record Config(String id, StatusPageConfig config) implements PageInput {
    }

    /** @param silence null: the silence was deleted */
    record Silence(String id, SilenceConfig silence) implements PageInput {
    }
}
