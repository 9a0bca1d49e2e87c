package dev.incidentengine.cli;

import dev.incidentengine.testkit.ServiceImageContract;

/** The incidentctl image (target/jib-image.tar), the one-shots' of Docker Compose and Kubernetes, keeps the images' contract. */
class IncidentctlImageIT extends ServiceImageContract {

    IncidentctlImageIT() {
        super("incidentctl", Incidentctl.class.getName(), 0);
    }
}
