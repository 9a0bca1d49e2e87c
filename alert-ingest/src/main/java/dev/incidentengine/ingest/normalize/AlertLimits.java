package dev.incidentengine.ingest.normalize;

/**
 * How large one alert may be. Lengths count characters (UTF-16 units), sizes bytes of the Avro
 * single-object encoding that {@code alerts.v1} carries.
 *
 * @param maxLabels labels per alert, Alertmanager's commonLabels included
 * @param maxNameLength a label or annotation name
 * @param maxLabelValueLength a label value
 * @param maxAnnotationLength an annotation value, and the description
 * @param maxSummaryLength the summary (or Alertmanager's {@code summary}/{@code title} annotation)
 * @param maxAlertBytes the whole serialized alert
 */
public record AlertLimits(int maxLabels, int maxNameLength, int maxLabelValueLength, int maxAnnotationLength,
                          int maxSummaryLength, int maxAlertBytes) {

    /** What AlertIngestConfig defaults to; see its documentation for why. */
    public static final AlertLimits DEFAULTS = new AlertLimits(64, 128, 2048, 8192, 1024, 32 * 1024);
}
