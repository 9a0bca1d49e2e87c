package dev.incidentengine.deploy.manifests;

import java.util.Locale;

import dev.incidentengine.schemas.ServiceAccess;
import org.apache.kafka.common.acl.AclOperation;

/** Kafka's ACL words in Strimzi's {@code KafkaUser} spelling (simple authorization). */
public final class StrimziAcls {

    /** A {@code KafkaUser} ACL's resource. */
    public record Resource(String type, String name, String patternType) {
    }

    private StrimziAcls() {
    }

    public static Resource resource(ServiceAccess.Acl acl) {
        String type = switch (acl.resourceType()) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case CLUSTER -> "cluster";
            case TRANSACTIONAL_ID -> "transactionalId";
            default -> throw new IllegalArgumentException("Strimzi has no ACL resource type for " + acl.resourceType());
        };
        String pattern = switch (acl.patternType()) {
            case LITERAL -> "literal";
            case PREFIXED -> "prefix";
            default -> throw new IllegalArgumentException("Strimzi has no ACL pattern type for " + acl.patternType());
        };
        return new Resource(type, acl.name(), pattern);
    }

    /** {@code DESCRIBE_CONFIGS} is {@code DescribeConfigs}. */
    public static String operation(AclOperation operation) {
        if (operation == AclOperation.ANY || operation == AclOperation.UNKNOWN) {
            throw new IllegalArgumentException("Not an ACL operation: " + operation);
        }
        StringBuilder name = new StringBuilder();
        for (String word : operation.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }
}
