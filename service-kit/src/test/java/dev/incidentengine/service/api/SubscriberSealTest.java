package dev.incidentengine.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.incidentengine.service.api.SubscriberSeal.Purpose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubscriberSealTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-status";
    private final SubscriberSeal seal = new SubscriberSeal(SECRET.getBytes(StandardCharsets.UTF_8));

    @Test
    void sealsWithARandomNonceAndOpens() {
        byte[] one = seal.seal("ada@example.com");
        byte[] two = seal.seal("ada@example.com");
        assertThat(one).isNotEqualTo(two).hasSize(12 + "ada@example.com".length() + 16);
        assertThat(new String(one, StandardCharsets.ISO_8859_1)).doesNotContain("ada");
        assertThat(seal.open(one, seal.keyId())).isEqualTo("ada@example.com");
        assertThat(seal.open(two, seal.keyId())).isEqualTo("ada@example.com");
    }

    @Test
    void refusesChangedBytesAnotherKeyAndAnotherSecret() {
        byte[] sealed = seal.seal("ada@example.com");
        sealed[sealed.length - 1] ^= 1;
        assertThatThrownBy(() -> seal.open(sealed, seal.keyId())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.open(seal.seal("x"), "other")).hasMessageContaining("key other");
        SubscriberSeal other = new SubscriberSeal((SECRET + "2").getBytes(StandardCharsets.UTF_8));
        assertThat(other.keyId()).isNotEqualTo(seal.keyId());
        assertThatThrownBy(() -> other.open(seal.seal("x"), other.keyId())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.open(new byte[5], seal.keyId())).hasMessageContaining("too short");
    }

    @Test
    void digestsNormalizedAddresses() {
        assertThat(seal.digest(" Ada@Example.COM ")).isEqualTo(seal.digest("ada@example.com")).hasSize(64);
        assertThat(seal.digest("https://hooks.example.com/A")).isNotEqualTo(seal.digest("https://hooks.example.com/a"));
        assertThat(seal.digest("bob@example.com")).isNotEqualTo(seal.digest("ada@example.com"));
        assertThat(new SubscriberSeal((SECRET + "2").getBytes(StandardCharsets.UTF_8)).digest("ada@example.com"))
                .isNotEqualTo(seal.digest("ada@example.com"));
    }

    @Test
    void tokensAreBoundToTheSubscriberAndThePurpose() {
        String confirm = seal.token(Purpose.CONFIRM, "sub-1");
        assertThat(seal.tokenMatches(Purpose.CONFIRM, "sub-1", confirm)).isTrue();
        assertThat(seal.tokenMatches(Purpose.UNSUBSCRIBE, "sub-1", confirm)).isFalse();
        assertThat(seal.tokenMatches(Purpose.CONFIRM, "sub-2", confirm)).isFalse();
        assertThat(seal.tokenMatches(Purpose.CONFIRM, "sub-1", confirm.substring(1))).isFalse();
        assertThat(seal.tokenMatches(Purpose.CONFIRM, "sub-1", null)).isFalse();
        assertThat(confirm).matches("[A-Za-z0-9_-]{43}");
        assertThat(seal.webhookSecret("sub-1")).startsWith("whsec_").isNotEqualTo(seal.webhookSecret("sub-2"))
                .doesNotContain(confirm).isEqualTo(seal.webhookSecret("sub-1"));
    }

    @Test
    void aMissingOrShortSecretFileIsAClearErrorWithoutTheSecret(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> SubscriberSeal.load(null)).hasMessageContaining(SubscriberSeal.CONFIG + " is required");
        assertThatThrownBy(() -> SubscriberSeal.load(dir.resolve("none").toString())).hasMessageContaining("cannot read the status secret");
        Path shortFile = Files.writeString(dir.resolve("short"), "tooshort-secret");
        assertThatThrownBy(() -> SubscriberSeal.load(shortFile.toString())).hasMessageContaining("at least 32 bytes")
                .hasMessageNotContaining("tooshort-secret");
        Path good = Files.writeString(dir.resolve("good"), SECRET + "\n");
        assertThat(SubscriberSeal.load(good.toString()).keyId()).isEqualTo(seal.keyId());
        assertThat(seal.toString()).doesNotContain(SECRET);
    }
}
