package dev.incidentengine.status;

import dev.incidentengine.testkit.ServiceImageContract;

/** The status-page image (target/jib-image.tar) keeps the images' contract. */
class StatusPageImageIT extends ServiceImageContract {

    StatusPageImageIT() {
        super("status-page", StatusPageMain.class.getName(), 8085);
    }
}
