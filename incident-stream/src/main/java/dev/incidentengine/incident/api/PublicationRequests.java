package dev.incidentengine.incident.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.incident.domain.PublicationRules;
import dev.incidentengine.model.PostPublicUpdate;
import dev.incidentengine.model.Publication;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublishIncident;
import dev.incidentengine.model.config.StatusComponentConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.service.api.ApiError;

/**
 * The status page commands' bodies ({@code POST .../publication}, {@code POST .../public-updates}) and the publication
 * as JSON, in Statuspage's lower-case words (impact "minor", status "investigating"). The limits are the aggregate's,
 * refused here first so a caller hears of them as a 400 on the field.
 */
final class PublicationRequests {

    static final List<String> PUBLISH_FIELDS = List.of("title", "impact", "components", "status", "message");
    static final List<String> UPDATE_FIELDS = List.of("status", "message", "impact", "components");
    private static final int MAX_COMPONENT_ID = 100;

    private PublicationRequests() {
    }

    static PublishIncident publish(ApiRequests.Body body) {
        String title = body.requiredText("title");
        if (title.strip().length() > IncidentLifecycle.MAX_PUBLIC_TITLE) {
            throw new ApiError(400, "title", "longer than " + IncidentLifecycle.MAX_PUBLIC_TITLE + " characters");
        }
        List<String> components = components(body);
        if (components == null) {
            throw new ApiError(400, "components", "is required: the ids of the status page components it affects (may be empty)");
        }
        String status = body.optionalText("status");
        return new PublishIncident(title, impact(body.requiredText("impact")), components,
                status == null ? PublicIncidentStatus.INVESTIGATING : status(status), message(body));
    }

    static PostPublicUpdate update(ApiRequests.Body body) {
        String impact = body.optionalText("impact");
        return new PostPublicUpdate(status(body.requiredText("status")), message(body), impact == null ? null : impact(impact),
                components(body));
    }

    /** Refuses components the configured page does not have, before the command is stored. */
    static void checkComponents(List<String> components, PublicationRules page) {
        if (components == null) {
            return;
        }
        if (!page.exists()) {
            throw new ApiError(409, null, "no status page is configured (config kind statusPages)");
        }
        String refused = page.refuseComponents(components, IncidentLifecycle.MAX_PUBLIC_COMPONENTS);
        if (refused != null) {
            throw new ApiError(400, "components", refused);
        }
    }

    private static String message(ApiRequests.Body body) {
        String message = body.optionalText("message");
        if (message != null && message.strip().length() > IncidentLifecycle.MAX_PUBLIC_MESSAGE) {
            throw new ApiError(400, "message", "longer than " + IncidentLifecycle.MAX_PUBLIC_MESSAGE + " characters");
        }
        return message;
    }

    /** The {@code components} array; null when absent (an update keeps the publication's). */
    private static List<String> components(ApiRequests.Body body) {
        JsonNode node = body.get("components");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw new ApiError(400, "components", "must be an array of component ids");
        }
        if (node.size() > IncidentLifecycle.MAX_PUBLIC_COMPONENTS) {
            throw new ApiError(400, "components", "at most " + IncidentLifecycle.MAX_PUBLIC_COMPONENTS + " components");
        }
        List<String> ids = new ArrayList<>(node.size());
        for (JsonNode id : node) {
            if (!id.isTextual() || id.textValue().isBlank() || id.textValue().length() > MAX_COMPONENT_ID) {
                throw new ApiError(400, "components", "each must be a component id of 1 to " + MAX_COMPONENT_ID + " characters");
            }
            ids.add(id.textValue());
        }
        return ids;
    }

    static PublicImpact impact(String text) {
        return parse(PublicImpact.class, text, "impact");
    }

    static PublicIncidentStatus status(String text) {
        return parse(PublicIncidentStatus.class, text, "status");
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String text, String field) {
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, field, "must be one of " + Arrays.stream(type.getEnumConstants()).map(PublicationRequests::word).toList()
                    + ", not '" + text + "'");
        }
    }

    /** Statuspage's word for a value: lower case. */
    static String word(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The incident's publication, or null while not published. */
    static void writePublication(Publication publication, JsonGenerator out) throws IOException {
        out.writeFieldName("publication");
        if (publication == null) {
            out.writeNull();
            return;
        }
        out.writeStartObject();
        out.writeStringField("title", publication.getTitle());
        out.writeStringField("impact", word(publication.getImpact()));
        out.writeArrayFieldStart("components");
        for (String component : publication.getComponents()) {
            out.writeString(component);
        }
        out.writeEndArray();
        out.writeStringField("status", word(publication.getStatus()));
        out.writeStringField("publishedAt", publication.getPublishedAt().toString());
        out.writeStringField("lastUpdateAt", publication.getLastUpdateAt().toString());
        out.writeNumberField("updates", publication.getUpdates());
        out.writeNumberField("missedUpdates", publication.getMissedUpdates());
        out.writeStringField("nextUpdateDueAt", publication.getNextUpdateDueAt() == null ? null : publication.getNextUpdateDueAt().toString());
        out.writeEndObject();
    }

    /** What the console's publish form needs of the page: its id, name and components. */
    /** The page's id, name and components; {@code configured} false (and no components) when there is none. */
    static void writePage(StatusPageConfig page, JsonGenerator out) throws IOException {
        out.writeStartObject();
        out.writeBooleanField("configured", page != null);
        out.writeStringField("id", page == null ? null : page.getId());
        out.writeStringField("name", page == null ? null : page.getName());
        out.writeArrayFieldStart("components");
        for (StatusComponentConfig component : page == null ? List.<StatusComponentConfig>of() : page.getComponents()) {
            out.writeStartObject();
            out.writeStringField("id", component.getId());
            out.writeStringField("name", component.getName());
            out.writeStringField("group", component.getGroup());
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }
}
