package dev.rosetta.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class UsageAndStopReasonTest {

    @Test
    void anthropicCacheTokensAreAddedToTheOpenAiPromptCount() {
        Usage u = Usage.fromAnthropic(100, 200, 50, 20, 0);
        assertThat(u.openAiPromptTokens()).isEqualTo(350);
        assertThat(u.cacheRead()).isEqualTo(200);
        assertThat(u.anthropicInputTokens()).isEqualTo(100);
        assertThat(u.total()).isEqualTo(370);
    }

    @Test
    void openAiCachedTokensAreTakenOutOfTheAnthropicInputCount() {
        Usage u = Usage.fromOpenAi(350, 300, 0, 17, 5);
        assertThat(u.anthropicInputTokens()).isEqualTo(50);
        assertThat(u.cacheRead()).isEqualTo(300);
        assertThat(u.geminiCandidatesTokens()).isEqualTo(12);
    }

    @Test
    void geminiThoughtsCountAsOutput() {
        Usage u = Usage.fromGemini(60, 0, 20, 7, 41);
        assertThat(u.output()).isEqualTo(48);
        assertThat(u.reasoning()).isEqualTo(41);
        assertThat(u.geminiPromptTokens()).isEqualTo(60);
        assertThat(u.anthropicInputTokens()).isEqualTo(40);
        assertThat(u.total()).isEqualTo(108);
    }

    @Test
    void stopReasonsMapBothWays() {
        assertThat(StopReason.fromAnthropic("tool_use").openAi()).isEqualTo("tool_calls");
        assertThat(StopReason.fromAnthropic("refusal").openAi()).isEqualTo("content_filter");
        assertThat(StopReason.fromOpenAi("length").anthropic()).isEqualTo("max_tokens");
        assertThat(StopReason.fromOpenAi("content_filter").gemini()).isEqualTo("SAFETY");
        assertThat(StopReason.fromGemini("RECITATION")).isEqualTo(StopReason.CONTENT_FILTER);
        assertThat(StopReason.fromGemini("MALFORMED_FUNCTION_CALL").openAi()).isEqualTo("stop");
        assertThat(StopReason.fromResponses("incomplete", Optional.of("max_output_tokens")))
                .isEqualTo(StopReason.MAX_TOKENS);
        assertThat(StopReason.MAX_TOKENS.responsesStatus()).isEqualTo("incomplete");
        assertThat(StopReason.TOOL_USE.responsesStatus()).isEqualTo("completed");
    }

    @Test
    void effortAndBudgetConvert() {
        assertThat(Effort.fromBudget(3000)).isEqualTo(Effort.MEDIUM);
        assertThat(Effort.fromBudget(0)).isEqualTo(Effort.NONE);
        Reasoning r = new Reasoning(Optional.of(Effort.LOW), Optional.empty(), Optional.empty());
        assertThat(r.effectiveBudget()).isEqualTo(1024);
    }
}
