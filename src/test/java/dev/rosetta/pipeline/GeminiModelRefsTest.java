package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GeminiModelRefsTest {

    private static String rename(String body) {
        return new String(GeminiModelRefs.rename(body.getBytes(StandardCharsets.UTF_8), "gemini-test",
                "gemini-upstream"), StandardCharsets.UTF_8);
    }

    @Test
    void batchEmbedRequestsNameTheUpstreamModel() {
        assertThat(rename("{\"requests\": [{\"content\":{\"parts\":[{\"text\":\"model\"}]}, \"model\" : \"models/gemini-test\"},"
                + "{\"model\":\"gemini-test\",\"taskType\":\"RETRIEVAL_QUERY\"}]}"))
                .isEqualTo("{\"requests\": [{\"content\":{\"parts\":[{\"text\":\"model\"}]}, \"model\" : \"models/gemini-upstream\"},"
                        + "{\"model\":\"gemini-upstream\",\"taskType\":\"RETRIEVAL_QUERY\"}]}");
    }

    @Test
    void countTokensGenerateContentRequestNamesTheUpstreamModel() {
        assertThat(rename("{\"generateContentRequest\":{\"model\":\"models/gemini-test\",\"contents\":[]}}"))
                .isEqualTo("{\"generateContentRequest\":{\"model\":\"models/gemini-upstream\",\"contents\":[]}}");
    }

    @Test
    void otherModelsAndOtherFieldsAreLeftAlone() {
        String body = "{\"model\":\"gemini-test\",\"requests\":[{\"model\":\"models/other\"}],"
                + "\"contents\":[{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"model\":\"gemini-test\"}}}]}]}";
        assertThat(rename(body)).isEqualTo(body);
    }
}
