package dev.incidentengine.ticketing.jira;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JiraTextTest {

    @Test
    void adfKeepsTextAsText_andReadsBackParagraphsAndBreaks() throws Exception {
        String text = "first line\nsecond *not bold*\n\n[x|http://evil]\n\n\nlast";
        JsonNode adf = JiraText.adf(text);

        assertThat(adf.path("content")).hasSize(3);
        assertThat(adf.toString()).doesNotContain("marks", "\"link\"");
        assertThat(JiraText.plain(adf)).isEqualTo("first line\nsecond *not bold*\n\n[x|http://evil]\n\nlast");
        // What a person writes in Jira: a mention, a link card and a code block, read as plain text.
        JsonNode written = new ObjectMapper().readTree("""
                {"type":"doc","version":1,"content":[
                  {"type":"paragraph","content":[{"type":"mention","attrs":{"id":"1","text":"@alice"}},{"type":"text","text":" fixed"}]},
                  {"type":"codeBlock","content":[{"type":"text","text":"kubectl rollout undo"}]},
                  {"type":"paragraph","content":[{"type":"inlineCard","attrs":{"url":"https://x.example/pr/1"}}]}]}""");
        assertThat(JiraText.plain(written)).isEqualTo("@alice fixed\n\nkubectl rollout undo\n\nhttps://x.example/pr/1");
    }

    @Test
    void wikiEscapesMarkup_andUnwikiRestoresTheText() {
        String text = "h1. title\n  bq. quote\n{noformat}x{noformat} [a|b] *b* _i_ -s- \\\\ end\\ &#92; &amp; R&D &lt;b&gt;";
        String wiki = JiraText.wiki(text);

        assertThat(wiki).startsWith("h1\\. title\n  bq\\. quote\n\\{noformat\\}").doesNotContain("[a|b]", "\\\\\\\\", " &#92; ", "&lt;")
                .contains("&amp;\\#92;", "&amp;amp;", "R&D");
        assertThat(JiraText.unwiki(wiki)).isEqualTo(text);
        assertThat(JiraText.wiki("x".repeat(20_000) + "{".repeat(20_000))).hasSizeLessThanOrEqualTo(JiraText.MAX_TEXT).endsWith("incident)");
    }

    @Test
    void summaryIsOneBoundedLine() {
        assertThat(JiraText.summary("a\r\nb\tc")).isEqualTo("a b c");
        assertThat(JiraText.summary("  ")).isEqualTo("(no summary)");
        String cut = JiraText.summary("😀".repeat(200));
        assertThat(cut).hasSizeLessThanOrEqualTo(255).endsWith("…");
        assertThat(Character.isHighSurrogate(cut.charAt(cut.length() - 2))).isFalse();
    }
}
