package dev.incidentengine.ticketing.github;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GitHubMarkdownTest {

    /** Markdown's characters, the escape's own and line breaks, so that every combination of them comes up. */
    private static final String ALPHABET = "\\`*_[]<>|~&#@-+=.)!(:;/ 0123456789aZ\n\t&#8203;\u200B";

    @Test
    void plainUndoesEscapeExactly_forTextsMadeOfMarkdownsOwnCharacters() {
        Random random = new Random(18);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int length = random.nextInt(40); length > 0; length--) {
                text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            assertThat(GitHubMarkdown.plain(GitHubMarkdown.escape(text.toString()))).isEqualTo(text.toString());
        }
    }

    @Test
    void mentionsAndReferencesGetAnInvisibleBreak_andLineMarkersABackslash() {
        assertThat(GitHubMarkdown.escape("@team ping #42")).isEqualTo("@&#8203;team ping #&#8203;42");
        assertThat(GitHubMarkdown.escape("10. ten\n  - dash-in-word 3.5")).isEqualTo("10\\. ten\n  \\- dash-in-word 3.5");
        assertThat(GitHubMarkdown.escape("plain text, stays plain")).isEqualTo("plain text, stays plain");
    }

    @Test
    void aPersonsMarkdownLosesOnlyItsEscapes() {
        assertThat(GitHubMarkdown.plain("**done** \\*not bold\\*")).isEqualTo("**done** *not bold*");
    }
}
