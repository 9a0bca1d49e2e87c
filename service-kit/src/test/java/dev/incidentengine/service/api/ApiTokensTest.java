package dev.incidentengine.service.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiTokensTest {

    @TempDir
    Path dir;

    @Test
    void givenEveryWayOfGivingAToken_whenAuthenticating_thenEachFindsItsUser() throws IOException {
        Path secret = Files.writeString(dir.resolve("carol.token"), "carol-token-from-a-file\n");
        ApiTokens tokens = load("""
                tokens:
                  - {user: alice, role: responder, token: alice-plain-token}
                  - {user: bob, role: VIEWER, tokenEnv: BOB_TOKEN}
                  - {user: carol, role: admin, tokenFile: %s}
                  - {user: dave, role: viewer, tokenSha256: %s}
                """.formatted(secret, IntegrationKeys.sha256("dave-hashed-token")), Map.of("BOB_TOKEN", "bob-env-token"));

        assertThat(tokens.authenticate("alice-plain-token")).contains(new ApiUser("alice", Role.RESPONDER));
        assertThat(tokens.authenticate("bob-env-token")).contains(new ApiUser("bob", Role.VIEWER));
        assertThat(tokens.authenticate("carol-token-from-a-file")).contains(new ApiUser("carol", Role.ADMIN));
        assertThat(tokens.authenticate("dave-hashed-token")).contains(new ApiUser("dave", Role.VIEWER));
        assertThat(tokens.authenticate("mallory-guess")).isEmpty();
        assertThat(tokens.authenticate("")).isEmpty();
        assertThat(tokens.authenticate(null)).isEmpty();
        assertThat(tokens.describe()).containsExactly("alice (responder)", "bob (viewer)", "carol (admin)", "dave (viewer)");
    }

    @Test
    void aFeedTokenIsNoApiToken_andReadsOnlyItsUsersFeed() throws IOException {
        ApiTokens tokens = load("""
                tokens:
                  - {user: alice, role: feed, token: alice-feed-token}
                  - {user: alice, role: admin, token: alice-api-token}
                """, Map.of());

        assertThat(tokens.authenticate("alice-feed-token")).isEmpty();
        tokens.authorizeFeed("alice-feed-token", "alice");
        assertThatThrownBy(() -> tokens.authorizeFeed("alice-feed-token", "bob")).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> tokens.authorizeFeed("alice-api-token", "alice")).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.getMessage()).contains("an API token must not be sent in a URL"));
        assertThatThrownBy(() -> tokens.authorizeFeed("guess", "alice")).hasMessageContaining("unknown feed token");
        assertThat(tokens.describe()).containsExactly("alice (feed)", "alice (admin)");
    }

    @Test
    void rolesIncludeTheOnesBelow() {
        assertThat(Role.ADMIN.includes(Role.RESPONDER)).isTrue();
        assertThat(Role.ADMIN.includes(Role.VIEWER)).isTrue();
        assertThat(Role.RESPONDER.includes(Role.VIEWER)).isTrue();
        assertThat(Role.RESPONDER.includes(Role.ADMIN)).isFalse();
        assertThat(Role.VIEWER.includes(Role.RESPONDER)).isFalse();
    }

    @Test
    void noFileMeansNoTokens() {
        assertThat(ApiTokens.load("", Map.of()).isEmpty()).isTrue();
        assertThat(ApiTokens.load(null, Map.of()).authenticate("anything")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not YAML                  | 'tokens: [ {user: a'                                                | not valid YAML
            not a mapping             | '- user: a'                                                         | one key, 'tokens'
            another top-level key     | 'tokens: []\nusers: []'                                             | one key, 'tokens'
            tokens not a list         | 'tokens: {user: a}'                                                 | one key, 'tokens'
            entry not a mapping       | 'tokens: [alice]'                                                   | tokens[0]: must be a mapping
            unknown field             | 'tokens: [{user: a, role: viewer, token: secret-1, tokne: x}]'      | tokens[0].tokne: unknown field
            missing user              | 'tokens: [{role: viewer, token: secret-1}]'                         | tokens[0].user: is required
            user not a string         | 'tokens: [{user: [a], role: viewer, token: secret-1}]'              | tokens[0].user: must be a non-empty string
            missing role              | 'tokens: [{user: a, token: secret-1}]'                              | (user a).role: is required
            unknown role              | 'tokens: [{user: a, role: owner, token: secret-1}]'                 | (user a).role: must be viewer, responder, admin or feed
            no token                  | 'tokens: [{user: a, role: viewer}]'                                 | give exactly one of
            two tokens                | 'tokens: [{user: a, role: viewer, token: secret-1, tokenEnv: V}]'   | give exactly one of
            empty token               | 'tokens: [{user: a, role: viewer, token: ""}]'                      | (user a).token: must be a non-empty string
            unset variable            | 'tokens: [{user: a, role: viewer, tokenEnv: NOT_SET}]'              | (user a).tokenEnv: 'NOT_SET' gives no token
            missing token file        | 'tokens: [{user: a, role: viewer, tokenFile: /no/such/file}]'       | (user a).tokenFile: cannot read /no/such/file
            bad hash                  | 'tokens: [{user: a, role: viewer, tokenSha256: abc}]'               | (user a).tokenSha256: must be 64 hex digits
            same token twice          | 'tokens: [{user: a, role: viewer, token: secret-1}, {user: b, role: admin, token: secret-1}]' | tokens[1] (user b): the same token is given twice
            """)
    void badFilesFailNamingTheFileAndEntry_neverTheSecret(String name, String yaml, String message) throws IOException {
        Path file = Files.writeString(dir.resolve("api-tokens.yaml"), yaml.replace("\\n", "\n"));

        assertThatThrownBy(() -> ApiTokens.load(file.toString(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining(message)
                .message().doesNotContain("secret-1");
    }

    @Test
    void aMissingFileFails() {
        assertThatThrownBy(() -> ApiTokens.load(dir.resolve("absent.yaml").toString(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read the API tokens file");
    }

    private ApiTokens load(String yaml, Map<String, String> env) throws IOException {
        return ApiTokens.load(Files.writeString(dir.resolve("api-tokens.yaml"), yaml).toString(), env);
    }
}
