package dev.incidentengine.incident;

import dev.incidentengine.incident.routing.Route;
import dev.incidentengine.incident.routing.Routes;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.RouteConfig;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Keys each alert by its correlation key, from the first route that takes it. */
final class RouteAlert implements Processor<String, Alert, String, Alert> {

    private ProcessorContext<String, Alert> context;
    private ConfigView<RouteConfig, Routes> routes;

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.routes = new ConfigView<>(context.getStateStore(IncidentTopology.ROUTES_STORE),
                Routes::of, Routes::problems);
    }

    @Override
    public void process(Record<String, Alert> record) {
        Alert alert = record.value();
        if (alert == null || alert.getFingerprint().isBlank()) {
            // Kafka's processing handler puts the record on the DLQ with this message.
            throw new IllegalArgumentException(alert == null ? "no alert in the record (null value)" : "alert without fingerprint");
        }
        Route route = routes.get(context.currentSystemTimeMs()).select(alert);
        context.forward(record.withKey(route.correlationKey(withService(alert, route))));
    }

    /** The alert as its route sees it: the route may assign it a service. */
    static Alert withService(Alert alert, Route route) {
        return route.service() == null || route.service().equals(alert.getService())
                ? alert : Alert.newBuilder(alert).setService(route.service()).build();
    }
}
