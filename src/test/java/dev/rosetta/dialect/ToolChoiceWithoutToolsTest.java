package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.model.ChatRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A tool choice or parallel-calls flag with no tools to choose from (Codex sends them with every request,
 * whatever tools it has) is not sent upstream: OpenAI refuses both there ("only allowed when 'tools' are
 * specified"), and they mean nothing.
 */
class ToolChoiceWithoutToolsTest {

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"OPENAI_CHAT", "OPENAI_RESPONSES", "ANTHROPIC"})
    void aToolChoiceWithoutToolsIsNotSentUpstream(Dialect provider) {
        ChatRequest request = Codec.of(Dialect.OPENAI_RESPONSES).decodeRequest("""
                {"model":"m","input":"hi","tool_choice":"required","parallel_tool_calls":false}"""
                .getBytes(StandardCharsets.UTF_8));

        String sent = new String(Codec.of(provider).encodeRequest(request, "m"), StandardCharsets.UTF_8);

        assertThat(sent).doesNotContain("tool_choice").doesNotContain("parallel_tool_calls");
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"OPENAI_CHAT", "OPENAI_RESPONSES", "ANTHROPIC"})
    void withToolsTheChoiceIsSent(Dialect provider) {
        ChatRequest request = Codec.of(Dialect.OPENAI_RESPONSES).decodeRequest("""
                {"model":"m","input":"hi","tool_choice":"required","parallel_tool_calls":false,
                 "tools":[{"type":"function","name":"f","parameters":{"type":"object","properties":{}}}]}"""
                .getBytes(StandardCharsets.UTF_8));

        String sent = new String(Codec.of(provider).encodeRequest(request, "m"), StandardCharsets.UTF_8);

        assertThat(sent).contains("tool_choice");
    }
}
