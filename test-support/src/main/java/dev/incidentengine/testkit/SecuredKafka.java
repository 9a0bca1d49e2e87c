package dev.incidentengine.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.schemas.ServiceAccess;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secured in-process KRaft broker, for tests of least privilege and client security, as a production cluster is set up:
 * one SASL_SSL listener (a self-signed certificate for localhost made here, with the JDK's keytool) taking SCRAM-SHA-512 and
 * OAUTHBEARER (unsecured JWS tokens: the mechanism and ACLs are real, only the token's signature is not checked), the
 * StandardAuthorizer, and no access without an ACL. The kit's PLAIN super user ({@code plain-admin}) is the test's admin
 * and the broker's own. Not shared: a test starts it and closes it. The kit names its JAAS file in the JVM-wide
 * {@code java.security.auth.login.config}, which only SASL clients without a {@code sasl.jaas.config} of their own read.
 */
public final class SecuredKafka implements AutoCloseable {

    public static final String SCRAM = "SCRAM-SHA-512";
    public static final String OAUTHBEARER = "OAUTHBEARER";

    private static final Logger log = LoggerFactory.getLogger(SecuredKafka.class);
    private static final String STORE_PASSWORD = "test-store-" + UUID.randomUUID();

    private final KafkaClusterTestKit kit;
    private final Path caCertificate;
    /** Makes users and grants ACLs; one for all, as each new client's TLS and SASL handshake costs. */
    private final Admin setup;

    private SecuredKafka(KafkaClusterTestKit kit, Path caCertificate) {
        this.kit = kit;
        this.caCertificate = caCertificate;
        this.setup = admin();
    }

    /** Starts the broker; its keys and the CA's certificate go to {@code dir} (under target/). */
    public static SecuredKafka start(Path dir) {
        long start = System.nanoTime();
        try {
            Files.createDirectories(dir);
            Path keystore = dir.resolve("broker.p12");
            Path ca = dir.resolve("ca.pem");
            makeCertificates(keystore, ca);
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    // The kit's SASL setup: PLAIN for its super user between broker and controller, the StandardAuthorizer,
                    // allow.everyone.if.no.acl.found=false. The client listener becomes SASL_SSL below.
                    .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .build();
            String listener = nodes.brokerListenerName().value();
            String prefix = "listener.name." + listener.toLowerCase() + ".";
            KafkaClusterTestKit kit = KafkaTestCluster.oneBroker(new KafkaClusterTestKit.Builder(nodes))
                    .setConfigProp("listener.security.protocol.map", listener + ":SASL_SSL,"
                            + nodes.controllerListenerName().value() + ":SASL_PLAINTEXT")
                    .setConfigProp("sasl.enabled.mechanisms", "PLAIN," + SCRAM + "," + OAUTHBEARER)
                    .setConfigProp(prefix + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                    .setConfigProp(prefix + "oauthbearer.sasl.jaas.config",
                            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"broker\";")
                    .setConfigProp(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12")
                    .setConfigProp(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore.toString())
                    .setConfigProp(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, STORE_PASSWORD)
                    .setConfigProp(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM")
                    .setConfigProp(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, ca.toString())
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            log.info("Started the secured in-process KRaft broker at {} in {} ms", kit.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            return new SecuredKafka(kit, ca);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the secured in-process Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** The CA's certificate (PEM): what clients trust. */
    public Path caCertificate() {
        return caCertificate;
    }

    /** The super user's client settings, for setting up topics, users and ACLs. */
    public Map<String, Object> adminProps() {
        Map<String, Object> props = tls();
        props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + JaasUtils.KAFKA_PLAIN_ADMIN + "\" password=\"" + JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD + "\";");
        return props;
    }

    public Admin admin() {
        return Admin.create(adminProps());
    }

    /**
     * Makes the access's user with a SCRAM-SHA-512 password and exactly its ACLs; returns the client settings it connects
     * with (bootstrap servers included), as a user of the engine sets them.
     */
    public Map<String, Object> scramUser(ServiceAccess access) {
        String password = UUID.randomUUID().toString();
        try {
            setup.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(access.service(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
            grant(access);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cannot make the user " + access.service(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, Object> props = tls();
        props.put(SaslConfigs.SASL_MECHANISM, SCRAM);
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + access.service() + "\" password=\"" + password + "\";");
        return props;
    }

    /**
     * Gives the access's user exactly its ACLs; returns the client settings of an OAUTHBEARER client whose (unsecured) token
     * names that user as its subject. With a real identity provider only the login settings differ.
     */
    public Map<String, Object> oauthUser(ServiceAccess access) {
        grant(access);
        Map<String, Object> props = tls();
        props.put(SaslConfigs.SASL_MECHANISM, OAUTHBEARER);
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                + "unsecuredLoginStringClaim_sub=\"" + access.service() + "\";");
        return props;
    }

    private void grant(ServiceAccess access) {
        String principal = "User:" + access.service();
        try {
            setup.createAcls(access.bindings(principal)).all().get(30, TimeUnit.SECONDS);
            // ACLs (and the password before them) reach the broker through the metadata log: wait until it answers with all of them.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (setup.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).stream()
                    .filter(binding -> binding.entry().principal().equals(principal)).count() < access.acls().size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The ACLs of " + principal + " did not reach the broker");
                }
                Thread.sleep(20);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cannot grant " + principal + " its ACLs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> tls() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caCertificate.toString());
        return props;
    }

    /**
     * The broker's key and a self-signed certificate for localhost, which clients trust as their CA (PEM), made with the JDK's
     * keytool: two runs, where a CA-signed chain would take seven, for the same TLS.
     */
    private static void makeCertificates(Path keystore, Path caPem) throws IOException, InterruptedException {
        Files.deleteIfExists(keystore);
        Files.deleteIfExists(caPem);
        keytool(keystore.getParent(), "-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "EC", "-validity", "2",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", keystore.toString());
        keytool(keystore.getParent(), "-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-file", caPem.toString());
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }

    @Override
    public void close() {
        setup.close(Duration.ofSeconds(5));
        try {
            kit.close();
        } catch (Exception e) {
            throw new IllegalStateException("The secured in-process broker did not stop cleanly", e);
        }
        log.info("Stopped the secured in-process KRaft broker");
    }
}
