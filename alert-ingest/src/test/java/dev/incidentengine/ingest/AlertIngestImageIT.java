package dev.incidentengine.ingest;

import dev.incidentengine.testkit.ServiceImageContract;

/** The alert-ingest image (target/jib-image.tar) keeps the images' contract. */
class AlertIngestImageIT extends ServiceImageContract {

    AlertIngestImageIT() {
        super("alert-ingest", AlertIngestMain.class.getName(), 8080);
    }
}
