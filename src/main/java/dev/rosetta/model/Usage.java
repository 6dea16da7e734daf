package dev.rosetta.model;

/**
 * Token counts with disjoint parts: {@code inputUncached + cacheRead + cacheWrite} is every prompt
 * token, {@code output} includes {@code reasoning}. Each dialect counts differently; the factory and
 * render methods are the only place that knows how (mapping.md §9).
 */
public record Usage(long inputUncached, long cacheRead, long cacheWrite, long output, long reasoning) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0);

    /** Every prompt token, cached or not (what OpenAI and Gemini call the input). */
    public long inputTotal() {
        return inputUncached + cacheRead + cacheWrite;
    }

    public long total() {
        return inputTotal() + output;
    }

    /** OpenAI (Chat and Responses): the prompt count includes cached tokens; completion includes reasoning. */
    public static Usage fromOpenAi(long promptTokens, long cachedTokens, long cacheWriteTokens, long completionTokens,
                                   long reasoningTokens) {
        long uncached = Math.max(0, promptTokens - cachedTokens - cacheWriteTokens);
        return new Usage(uncached, cachedTokens, cacheWriteTokens, completionTokens, reasoningTokens);
    }

    /** Anthropic: {@code input_tokens} excludes cache reads and writes. */
    public static Usage fromAnthropic(long inputTokens, long cacheRead, long cacheWrite, long outputTokens,
                                      long thinkingTokens) {
        return new Usage(inputTokens, cacheRead, cacheWrite, outputTokens, thinkingTokens);
    }

    /** Gemini: the prompt count includes cached tokens; candidates exclude thoughts. */
    public static Usage fromGemini(long promptTokens, long toolUsePromptTokens, long cachedTokens,
                                   long candidatesTokens, long thoughtsTokens) {
        long input = promptTokens + toolUsePromptTokens;
        return new Usage(Math.max(0, input - cachedTokens), cachedTokens, 0, candidatesTokens + thoughtsTokens,
                thoughtsTokens);
    }

    /** OpenAI {@code prompt_tokens} / {@code input_tokens}. */
    public long openAiPromptTokens() {
        return inputTotal();
    }

    /** Anthropic {@code input_tokens}. */
    public long anthropicInputTokens() {
        return inputUncached;
    }

    /** Gemini {@code promptTokenCount}. */
    public long geminiPromptTokens() {
        return inputTotal();
    }

    /** Gemini {@code candidatesTokenCount}. */
    public long geminiCandidatesTokens() {
        return Math.max(0, output - reasoning);
    }
}
