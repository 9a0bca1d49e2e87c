package dev.incidentengine.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What one service may do on Kafka, and nothing more: the least privilege its user gets (Strimzi {@code KafkaUser}s, the
 * ACLs of a secured cluster). Each service says its own, where it makes its clients ({@code XxxService.kafkaAccess}), from
 * the topics and ids it uses, so the knowledge is not copied; {@link #acls()} turns it into ACL rules.
 *
 * @param service             the service, also the name of its Kafka user
 * @param reads               topics it reads (READ; DESCRIBE comes with it)
 * @param writes              topics it writes (WRITE, idempotently; DESCRIBE comes with it)
 * @param groups              consumer groups it joins or commits to (READ)
 * @param streamsApplications Kafka Streams application ids: the group, the internal topics {@code <id>-…} (changelogs,
 *                            repartition topics, which Streams creates, purges and checks) and exactly-once transactional
 *                            ids {@code <id>-…}
 * @param transactionalIds    transactional ids of plain producers, each a prefix when it ends with {@code -} (a unique
 *                            suffix follows) and exact otherwise
 * @param describedGroups     others' consumer groups it looks at (DESCRIBE: committed offsets, for lag)
 * @param describedTopics     topics it only looks at (DESCRIBE: partitions and offsets, no records), each a prefix when it
 *                            ends with {@code -}: what a described group reads
 */
public record ServiceAccess(
        String service,
        SortedSet<String> reads,
        SortedSet<String> writes,
        SortedSet<String> groups,
        SortedSet<String> streamsApplications,
        SortedSet<String> transactionalIds,
        SortedSet<String> describedGroups,
        SortedSet<String> describedTopics) {

    /** One ACL rule, without the principal it is for. */
    public record Acl(ResourceType resourceType, String name, PatternType patternType, AclOperation operation) {

        /** The rule allowing {@code principal} (e.g. {@code User:alert-ingest}) from any host. */
        public AclBinding binding(String principal) {
            return new AclBinding(new ResourcePattern(resourceType, name, patternType),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
        }
    }

    /** What a Streams application needs on its internal topics, besides its inputs and outputs. */
    private static final List<AclOperation> INTERNAL_TOPIC_OPERATIONS = List.of(AclOperation.CREATE, AclOperation.READ,
            AclOperation.WRITE, AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS);

    public ServiceAccess {
        reads = frozen(reads);
        writes = frozen(writes);
        groups = frozen(groups);
        streamsApplications = frozen(streamsApplications);
        transactionalIds = frozen(transactionalIds);
        describedGroups = frozen(describedGroups);
        describedTopics = frozen(describedTopics);
    }

    /** Nothing allowed yet. */
    public static ServiceAccess of(String service) {
        return new ServiceAccess(service, null, null, null, null, null, null, null);
    }

    public ServiceAccess reads(Collection<? extends Topic<?, ?>> topics) {
        return new ServiceAccess(service, plus(reads, names(topics)), writes, groups, streamsApplications, transactionalIds, describedGroups,
                describedTopics);
    }

    public ServiceAccess reads(Topic<?, ?>... topics) {
        return reads(List.of(topics));
    }

    public ServiceAccess writes(Collection<? extends Topic<?, ?>> topics) {
        return new ServiceAccess(service, reads, plus(writes, names(topics)), groups, streamsApplications, transactionalIds, describedGroups,
                describedTopics);
    }

    public ServiceAccess writes(Topic<?, ?>... topics) {
        return writes(List.of(topics));
    }

    public ServiceAccess group(String groupId) {
        return new ServiceAccess(service, reads, writes, plus(groups, Set.of(groupId)), streamsApplications, transactionalIds, describedGroups,
                describedTopics);
    }

    public ServiceAccess streamsApplication(String applicationId) {
        return new ServiceAccess(service, reads, writes, groups, plus(streamsApplications, Set.of(applicationId)), transactionalIds,
                describedGroups, describedTopics);
    }

    /** A transactional id, or every id starting with it when it ends with {@code -}. */
    public ServiceAccess transactionalId(String idOrPrefix) {
        return new ServiceAccess(service, reads, writes, groups, streamsApplications, plus(transactionalIds, Set.of(idOrPrefix)),
                describedGroups, describedTopics);
    }

    /**
     * Another's consumer group, for its lag: the group and what it reads, which the broker leaves out of the group's offsets
     * (and logs as refused) unless it may be described; a name ending with {@code -} is a prefix (a Streams app's internal
     * topics).
     */
    public ServiceAccess describesGroup(String groupId, Collection<String> topicsItReads) {
        return new ServiceAccess(service, reads, writes, groups, streamsApplications, transactionalIds, plus(describedGroups, Set.of(groupId)),
                plus(describedTopics, Set.copyOf(topicsItReads)));
    }

    /** Everything either allows; for parts a service is made of (a session log, a Streams app). */
    public ServiceAccess plus(ServiceAccess other) {
        return new ServiceAccess(service, plus(reads, other.reads), plus(writes, other.writes), plus(groups, other.groups),
                plus(streamsApplications, other.streamsApplications), plus(transactionalIds, other.transactionalIds),
                plus(describedGroups, other.describedGroups), plus(describedTopics, other.describedTopics));
    }

    /** Every topic it reads or writes, by name. */
    public SortedSet<String> topics() {
        return plus(reads, writes);
    }

    /**
     * The ACL rules that allow exactly this, in a stable order. Operations another one implies are left out (READ, WRITE and
     * DELETE imply DESCRIBE; a transactional id's WRITE implies its DESCRIBE). No cluster operation is needed: idempotent
     * producers need only WRITE on a topic (KIP-679), and topics are created by the operator (Strimzi {@code KafkaTopic}s,
     * {@code TopicCreator}), not by services.
     */
    public List<Acl> acls() {
        List<Acl> acls = new ArrayList<>();
        reads.forEach(topic -> acls.add(new Acl(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ)));
        writes.forEach(topic -> acls.add(new Acl(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE)));
        groups.forEach(group -> acls.add(new Acl(ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ)));
        describedGroups.forEach(group -> acls.add(new Acl(ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.DESCRIBE)));
        describedTopics.stream().filter(topic -> !reads.contains(topic) && !writes.contains(topic))
                .forEach(topic -> acls.add(new Acl(ResourceType.TOPIC, topic, pattern(topic), AclOperation.DESCRIBE)));
        for (String app : streamsApplications) {
            acls.add(new Acl(ResourceType.GROUP, app, PatternType.LITERAL, AclOperation.READ));
            INTERNAL_TOPIC_OPERATIONS.forEach(operation -> acls.add(new Acl(ResourceType.TOPIC, app + "-", PatternType.PREFIXED, operation)));
            acls.add(new Acl(ResourceType.TRANSACTIONAL_ID, app + "-", PatternType.PREFIXED, AclOperation.WRITE));
        }
        transactionalIds.forEach(id -> acls.add(new Acl(ResourceType.TRANSACTIONAL_ID, id, pattern(id), AclOperation.WRITE)));
        return List.copyOf(acls);
    }

    /** A name ending with {@code -} stands for every name it starts (topic names end with a version, never with {@code -}). */
    private static PatternType pattern(String name) {
        return name.endsWith("-") ? PatternType.PREFIXED : PatternType.LITERAL;
    }

    /** {@link #acls()} as bindings for {@code principal}, for {@code Admin.createAcls}. */
    public List<AclBinding> bindings(String principal) {
        return acls().stream().map(acl -> acl.binding(principal)).toList();
    }

    private static SortedSet<String> names(Collection<? extends Topic<?, ?>> topics) {
        SortedSet<String> names = new TreeSet<>();
        topics.forEach(topic -> names.add(topic.name()));
        return names;
    }

    private static SortedSet<String> plus(Set<String> a, Set<String> b) {
        SortedSet<String> union = new TreeSet<>(a);
        union.addAll(b);
        return union;
    }

    private static SortedSet<String> frozen(Set<String> values) {
        return Collections.unmodifiableSortedSet(values == null ? new TreeSet<>() : new TreeSet<>(values));
    }
}
