package dev.incidentengine.escalation;

import dev.incidentengine.testkit.ServiceImageContract;

/** The escalation-stream image (target/jib-image.tar) keeps the images' contract. */
class EscalationStreamImageIT extends ServiceImageContract {

    EscalationStreamImageIT() {
        super("escalation-stream", EscalationStreamMain.class.getName(), 8082);
    }
}
