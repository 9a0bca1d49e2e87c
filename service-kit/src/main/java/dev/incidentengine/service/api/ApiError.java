package dev.incidentengine.service.api;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.incidentengine.service.HttpServer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** A refused API request: the HTTP status, the field or parameter at fault (may be null) and why. */
public final class ApiError extends RuntimeException {

    /** A client told 503 (still starting) may try again this many seconds later. */
    private static final int RETRY_AFTER_SECONDS = 2;

    private final int status;
    private final String field;

    public ApiError(int status, String field, String message) {
        super(field == null ? message : field + ": " + message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }

    /** Answers with this error as JSON ({@code error}, and {@code field} when one is at fault). */
    public void write(Response response, Callback callback) {
        if (status == 503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", getMessage());
        if (field != null) {
            body.put("field", field);
        }
        HttpServer.writeJson(response, callback, status, body);
    }
}
