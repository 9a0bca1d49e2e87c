package dev.incidentengine.ticketing.redmine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedmineTextTest {

    @Test
    void punctuationBecomesReferencesThatReadBackAsTheText() {
        String hostile = "h1. Down\n<script>alert(1)</script> \"link\":http://evil.example *b* #1 {{toc}} [[Wiki]] a@b.c & ü 🚨";

        String textile = RedmineText.textile(hostile);

        assertThat(textile).doesNotContain("<", ">", "\"", "*", " #1 ", "{{", "[[", "h1.", "http:", "@")
                .startsWith("h1&#46; Down\n&#60;script&#62;").contains("ü 🚨");
        assertThat(RedmineText.plain(textile)).isEqualTo(hostile);
    }

    @Test
    void controlsAreDroppedAndLineEndsUnified() {
        assertThat(RedmineText.textile("a\r\nb\rc\u0000d\te")).isEqualTo("a\nb\ncd\te");
        assertThat(RedmineText.plain("x\r\ny")).isEqualTo("x\ny");
    }

    @Test
    void aLongTextIsCutInTheMiddleKeepingItsEnd() {
        String text = "a".repeat(20_000) + "\n-- marker evt-42";

        String plain = RedmineText.plain(RedmineText.textile(text));

        assertThat(plain).hasSizeLessThanOrEqualTo(RedmineText.MAX_TEXT).endsWith("\n-- marker evt-42").contains("characters cut");
    }

    @Test
    void subjectsAreOneLineOfAtMost255Characters() {
        assertThat(RedmineText.subject("API\ndown\u0007")).isEqualTo("API down");
        assertThat(RedmineText.subject("x".repeat(300))).hasSize(255).endsWith("…");
    }
}
