package dev.incidentengine.incident;

import dev.incidentengine.testkit.ServiceImageContract;

/** The incident-stream image (target/jib-image.tar) keeps the images' contract. */
class IncidentStreamImageIT extends ServiceImageContract {

    IncidentStreamImageIT() {
        super("incident-stream", IncidentStreamMain.class.getName(), 8081);
    }
}
