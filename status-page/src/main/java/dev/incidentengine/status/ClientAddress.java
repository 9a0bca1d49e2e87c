package dev.incidentengine.status;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/** Who a request is from, for the public endpoints' per-client limits. */
public final class ClientAddress {

    private ClientAddress() {
    }

    /**
     * The connection's address or, behind a reverse proxy ({@code status.site.trust.forwarded.for}), the last address of
     * X-Forwarded-For: the one the proxy added, since a client can send any X-Forwarded-For of its own.
     */
    public static String of(Request request, boolean trustForwardedFor) {
        if (trustForwardedFor) {
            String forwarded = request.getHeaders().get(HttpHeader.X_FORWARDED_FOR);
            if (forwarded != null && !forwarded.isBlank()) {
                String[] hops = forwarded.split(",");
                return hops[hops.length - 1].strip();
            }
        }
        return Request.getRemoteAddr(request);
    }
}
