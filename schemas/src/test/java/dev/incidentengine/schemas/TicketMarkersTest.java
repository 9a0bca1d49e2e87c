package dev.incidentengine.schemas;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TicketMarkersTest {

    @Test
    void aMarkerLabelNamesTheIncidentAndTheActionItem_withinGithubsFiftyCharacters() {
        String label = TicketMarkers.label("INC-20261205-11-0042/AI-12");

        assertThat(label).isEqualTo("incident-engine:INC-20261205-11-0042/AI-12").hasSizeLessThanOrEqualTo(50).doesNotContainAnyWhitespaces();
        assertThat(TicketMarkers.parse(label)).contains(new TicketMarkers.Marked("INC-20261205-11-0042", "AI-12"));
        assertThat(TicketMarkers.parse(TicketMarkers.label("INC-1"))).contains(new TicketMarkers.Marked("INC-1", null));
    }

    @Test
    void otherLabelsAreNotMarkers() {
        assertThat(TicketMarkers.parse("incident")).isEmpty();
        assertThat(TicketMarkers.parse("incident-engine:")).isEmpty();
        assertThat(TicketMarkers.parse("incident-engine:INC 1")).isEmpty();
        assertThat(TicketMarkers.parse("incident-engine:INC-1/AI-")).isEmpty();
        assertThat(TicketMarkers.parse("incident-engine:INC-1/../x")).isEmpty();
        assertThat(TicketMarkers.parse("x-incident-engine:INC-1")).isEmpty();
    }
}
