package dev.incidentengine.notifier;

import dev.incidentengine.testkit.ServiceImageContract;

/** The notifier image (target/jib-image.tar) keeps the images' contract. */
class NotifierImageIT extends ServiceImageContract {

    NotifierImageIT() {
        super("notifier", NotifierMain.class.getName(), 8083);
    }
}
