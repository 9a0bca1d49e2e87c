package dev.incidentengine.deploy.cluster;

/** The engine's services as separate processes: distribution name, Maven module and main class. */
public enum ServiceKind {
    ALERT_INGEST("alert-ingest", "alert-ingest", "dev.incidentengine.ingest.AlertIngestMain"),
    INCIDENT_STREAM("incident-stream", "incident-stream", "dev.incidentengine.incident.IncidentStreamMain"),
    ESCALATION_STREAM("escalation-stream", "escalation-stream", "dev.incidentengine.escalation.EscalationStreamMain"),
    NOTIFIER("notifier", "notifier", "dev.incidentengine.notifier.NotifierMain"),
    STATUS_PAGE("status-page", "status-page", "dev.incidentengine.status.StatusPageMain");

    private final String distribution;
    private final String module;
    private final String mainClass;

    ServiceKind(String distribution, String module, String mainClass) {
        this.distribution = distribution;
        this.module = module;
        this.mainClass = mainClass;
    }

    /** The distribution's name, also its start script's: {@code <module>/target/dist/<name>/bin/<name>}. */
    public String distribution() {
        return distribution;
    }

    public String module() {
        return module;
    }

    public String mainClass() {
        return mainClass;
    }
}
