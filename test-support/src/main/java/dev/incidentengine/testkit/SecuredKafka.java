package dev.incidentengine.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.security.auth.x500.X500Principal;

import dev.incidentengine.schemas.ServiceAccess;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secured in-process KRaft broker, for tests of least privilege and client security, as a production cluster is set up:
 * one TLS client listener (a self-signed certificate for localhost made here, with the JDK's keytool), the StandardAuthorizer,
 * and no access without an ACL. {@link #start} makes it SASL_SSL, taking SCRAM-SHA-512 and OAUTHBEARER (unsecured JWS
 * tokens: the mechanism and ACLs are real, only the token's signature is not checked); {@link #startMutualTls} makes it SSL
 * with client certificates required, the user being the certificate's CN ({@link #PRINCIPAL_MAPPING_RULES}). The kit's PLAIN
 * super user ({@code plain-admin}) is the broker's own towards its controller, and the test's admin on SASL_SSL. Not shared:
 * a test starts it and closes it. The kit names its JAAS file in the JVM-wide {@code java.security.auth.login.config}, which
 * only SASL clients without a {@code sasl.jaas.config} of their own read.
 */
public final class SecuredKafka implements AutoCloseable {

    public static final String SCRAM = "SCRAM-SHA-512";
    public static final String OAUTHBEARER = "OAUTHBEARER";
    /** The broker's rule on the mutual TLS listener: the user is the client certificate's CN ({@code CN=alert-ingest}: alert-ingest). */
    public static final String PRINCIPAL_MAPPING_RULES = "RULE:^CN=([^,]+).*$/$1/,DEFAULT";
    /** The CN of the broker's certificate: its user on the mutual TLS listener, a super user. */
    private static final String BROKER = "broker";

    private static final Logger log = LoggerFactory.getLogger(SecuredKafka.class);
    private static final String STORE_PASSWORD = "test-store-" + UUID.randomUUID();
    /** The OID ecdsa-with-SHA256 (1.2.840.10045.4.3.2), DER-encoded: the algorithm of the client certificates' requests. */
    private static final byte[] ECDSA_WITH_SHA256 = {0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04, 0x03, 0x02};

    private final KafkaClusterTestKit kit;
    private final Path dir;
    private final Path brokerKeystore;
    private final Path caCertificate;
    private final boolean mutualTls;
    /** Makes users and grants ACLs; one for all, as each new client's TLS and SASL handshake costs. */
    private final Admin setup;

    private SecuredKafka(KafkaClusterTestKit kit, Path dir, Path brokerKeystore, Path caCertificate, boolean mutualTls) {
        this.kit = kit;
        this.dir = dir;
        this.brokerKeystore = brokerKeystore;
        this.caCertificate = caCertificate;
        this.mutualTls = mutualTls;
        this.setup = admin();
    }

    /** Starts the broker with a SASL_SSL client listener; its keys and the CA's certificate go to {@code dir} (under target/). */
    public static SecuredKafka start(Path dir) {
        return start(dir, false);
    }

    /**
     * Starts the broker with an SSL client listener that requires a client certificate signed by its CA and takes the
     * certificate's CN as the user ({@link #tlsUser}); keys and certificates go to {@code dir} (under target/).
     */
    public static SecuredKafka startMutualTls(Path dir) {
        return start(dir, true);
    }

    private static SecuredKafka start(Path dir, boolean mutualTls) {
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
                    // allow.everyone.if.no.acl.found=false. The client listener becomes SASL_SSL or SSL below.
                    .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .build();
            String listener = nodes.brokerListenerName().value();
            String prefix = "listener.name." + listener.toLowerCase() + ".";
            KafkaClusterTestKit.Builder builder = KafkaTestCluster.oneBroker(new KafkaClusterTestKit.Builder(nodes))
                    .setConfigProp(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12")
                    .setConfigProp(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore.toString())
                    .setConfigProp(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, STORE_PASSWORD)
                    .setConfigProp(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM")
                    .setConfigProp(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, ca.toString());
            String controller = nodes.controllerListenerName().value() + ":SASL_PLAINTEXT";
            if (mutualTls) {
                // The broker is a client of its own listener too, with its certificate (transaction checks and markers,
                // AddPartitionsToTxn and WriteTxnMarkers, want CLUSTER_ACTION): a super user, as the kit's is towards the controller.
                builder.setConfigProp("listener.security.protocol.map", listener + ":SSL," + controller)
                        .setConfigProp(prefix + BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG, "required")
                        .setConfigProp(prefix + BrokerSecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES_CONFIG, PRINCIPAL_MAPPING_RULES)
                        .setConfigProp("super.users", "User:" + JaasUtils.KAFKA_PLAIN_ADMIN + ";User:" + BROKER);
            } else {
                builder.setConfigProp("listener.security.protocol.map", listener + ":SASL_SSL," + controller)
                        .setConfigProp("sasl.enabled.mechanisms", "PLAIN," + SCRAM + "," + OAUTHBEARER)
                        .setConfigProp(prefix + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                        .setConfigProp(prefix + "oauthbearer.sasl.jaas.config",
                                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"broker\";");
            }
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            log.info("Started the secured in-process KRaft broker ({}) at {} in {} ms", mutualTls ? "mutual TLS" : "SASL_SSL",
                    kit.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            return new SecuredKafka(kit, dir, keystore, ca, mutualTls);
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

    /**
     * The super user's client settings, for setting up topics, users and ACLs; with mutual TLS, the broker's own certificate,
     * which saves making one more.
     */
    public Map<String, Object> adminProps() {
        Map<String, Object> props = tls();
        if (mutualTls) {
            props.putAll(keystore(brokerKeystore));
            return props;
        }
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
        requireSasl();
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
        requireSasl();
        grant(access);
        Map<String, Object> props = tls();
        props.put(SaslConfigs.SASL_MECHANISM, OAUTHBEARER);
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                + "unsecuredLoginStringClaim_sub=\"" + access.service() + "\";");
        return props;
    }

    /**
     * Makes a key and a certificate for the access's user ({@code CN=<service>}, signed by the broker's CA) and gives the user
     * exactly its ACLs; returns the client settings it connects with (bootstrap servers included): SSL, a PKCS12 keystore and
     * the CA's certificate as a PEM truststore, as an operator sets them. Safe to call from several threads at once.
     */
    public Map<String, Object> tlsUser(ServiceAccess access) {
        requireMutualTls();
        Path keystore = clientCertificate(access.service());
        grant(access);
        Map<String, Object> props = tls();
        props.putAll(keystore(keystore));
        return props;
    }

    /**
     * The client settings of someone with a self-signed certificate for {@code CN=<user>}, which the broker's CA did not
     * sign: for tests that the broker lets no one in by a name alone.
     */
    public Map<String, Object> selfSignedTlsClient(String user) {
        requireMutualTls();
        Path keystore = dir.resolve(user + "-self-signed.p12");
        try {
            Files.deleteIfExists(keystore);
            keytool(dir, "-genkeypair", "-alias", user, "-dname", "CN=" + user, "-keyalg", "EC", "-validity", "2", "-keystore", keystore.toString());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot make a self-signed certificate for " + user, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, Object> props = tls();
        props.putAll(keystore(keystore));
        return props;
    }

    private void requireMutualTls() {
        if (!mutualTls) {
            throw new IllegalStateException("Client certificates need the mutual TLS listener: SecuredKafka.startMutualTls");
        }
    }

    private void requireSasl() {
        if (mutualTls) {
            throw new IllegalStateException("SASL users need the SASL_SSL listener: SecuredKafka.start");
        }
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
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, mutualTls ? "SSL" : "SASL_SSL");
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caCertificate.toString());
        return props;
    }

    private static Map<String, Object> keystore(Path keystore) {
        return Map.of(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12",
                SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore.toString(),
                SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
    }

    /**
     * A client's key and a certificate for {@code CN=<user>} signed by the broker's CA, in a PKCS12 keystore with the CA's
     * certificate above it. The key and its signing request are made here, keytool signs the request: one run, where making
     * the key and the request with keytool too would take three (most of a test's setup on a busy machine).
     */
    private Path clientCertificate(String user) {
        Path keystore = dir.resolve(user + ".p12");
        Path request = dir.resolve(user + ".csr");
        Path signed = dir.resolve(user + ".pem");
        try {
            for (Path file : List.of(keystore, request, signed)) {
                Files.deleteIfExists(file);
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            Files.writeString(request, "-----BEGIN NEW CERTIFICATE REQUEST-----\n"
                    + Base64.getMimeEncoder().encodeToString(certificationRequest("CN=" + user, keys))
                    + "\n-----END NEW CERTIFICATE REQUEST-----\n");
            keytool(dir, "-gencert", "-alias", BROKER, "-keystore", brokerKeystore.toString(), "-infile", request.toString(),
                    "-outfile", signed.toString(), "-rfc", "-validity", "2");
            char[] password = STORE_PASSWORD.toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(user, keys.getPrivate(), password, new Certificate[] {certificate(signed), certificate(caCertificate)});
            try (OutputStream out = Files.newOutputStream(keystore)) {
                store.store(out, password);
            }
            return keystore;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make the certificate of " + user, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A PKCS#10 certification request (RFC 2986) for {@code subject}, signed with its key, in DER: the JDK makes the name's and
     * the public key's encodings and the signature, and has no public API for the few wrappers around them.
     */
    private static byte[] certificationRequest(String subject, KeyPair keys) throws GeneralSecurityException {
        byte[] info = der(0x30, der(0x02, new byte[] {0}), new X500Principal(subject).getEncoded(), keys.getPublic().getEncoded(),
                der(0xA0)); // version 0, subject, subjectPKInfo, no attributes
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(keys.getPrivate());
        signature.update(info);
        return der(0x30, info, der(0x30, ECDSA_WITH_SHA256), der(0x03, new byte[] {0}, signature.sign()));
    }

    /** A DER element: the tag, the definite length of the contents, the contents. */
    private static byte[] der(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] content : contents) {
            body.writeBytes(content);
        }
        ByteArrayOutputStream element = new ByteArrayOutputStream();
        element.write(tag);
        int length = body.size();
        if (length < 0x80) {
            element.write(length);
        } else {
            byte[] octets = BigInteger.valueOf(length).toByteArray();
            int skip = octets[0] == 0 ? 1 : 0;
            element.write(0x80 | (octets.length - skip));
            element.write(octets, skip, octets.length - skip);
        }
        element.writeBytes(body.toByteArray());
        return element.toByteArray();
    }

    private static Certificate certificate(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /**
     * The broker's key and a self-signed certificate for localhost, which clients trust as their CA (PEM), made with the JDK's
     * keytool: two runs, where a CA-signed chain would take seven, for the same TLS. With mutual TLS it is the CA that signs
     * the clients' certificates too, which the broker's trust manager takes only from a CA certificate (bc:c).
     */
    private static void makeCertificates(Path keystore, Path caPem) throws IOException, InterruptedException {
        Files.deleteIfExists(keystore);
        Files.deleteIfExists(caPem);
        keytool(keystore.getParent(), "-genkeypair", "-alias", BROKER, "-dname", "CN=" + BROKER, "-keyalg", "EC", "-validity", "2",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "bc:c", "-keystore", keystore.toString());
        keytool(keystore.getParent(), "-exportcert", "-rfc", "-alias", BROKER, "-keystore", keystore.toString(), "-file", caPem.toString());
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short run: compiling little and a simple collector start it a third faster.
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
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
