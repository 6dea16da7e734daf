package dev.rosetta.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.model.ChatRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenEstimateTest {

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\","
            + "\"description\":\"The city, e.g. Paris\"},\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":14},"
            + "\"units\":{\"type\":\"string\",\"enum\":[\"metric\",\"imperial\"]}},\"required\":[\"city\"]}";

    private static ChatRequest anthropic(String tools) {
        String body = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather?\"}]"
                + tools + "}";
        return Codec.of(Dialect.ANTHROPIC).decodeRequest(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aToolSchemaCostsAboutItsJsonText() {
        long without = TokenEstimate.of(anthropic(""));
        long with = TokenEstimate.of(anthropic(",\"tools\":[{\"name\":\"w\",\"input_schema\":" + SCHEMA + "}]"));

        // 8 fixed per tool, then the name and the schema's compact JSON at 3.5 characters a token plus 15%
        long expected = 8 + Math.round((1 + SCHEMA.length()) / 3.5 * 1.15);
        assertThat(with - without).isBetween(expected - 3, expected + 3);
    }

    @Test
    void theSameRequestAlwaysGetsTheSameEstimate() {
        String tools = ",\"tools\":[{\"name\":\"w\",\"description\":\"Weather\",\"input_schema\":" + SCHEMA + "}]";

        assertThat(TokenEstimate.of(anthropic(tools))).isEqualTo(TokenEstimate.of(anthropic(tools))).isPositive();
    }
}
