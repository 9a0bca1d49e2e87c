package dev.incidentengine.service.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** A request's JSON object body, read within a size limit, with only the fields an endpoint knows. */
public final class JsonBodies {

    /** A key given twice, or anything after the object, is refused rather than read one way or another. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonBodies() {
    }

    /**
     * @param shape what the body should look like, for the answer to a body that is not a JSON object
     * @throws ApiError 413 past {@code maxBytes} (read no further), 400 for what is not a JSON object or an unknown field
     */
    public static ObjectNode object(Request request, int maxBytes, Set<String> fields, String shape) {
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new ApiError(400, "body", "cannot be read (" + e.getMessage() + ")");
        }
        if (bytes.length > maxBytes) {
            throw new ApiError(413, "body", "is over the limit of " + maxBytes + " bytes");
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new ApiError(400, "body", "is not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new ApiError(400, "body", "cannot be read (" + e.getMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "body", "must be a JSON object: " + shape);
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!fields.contains(name)) {
                throw new ApiError(400, name, "unknown field (known: " + new TreeSet<>(fields) + ")");
            }
        });
        return (ObjectNode) node;
    }
}
