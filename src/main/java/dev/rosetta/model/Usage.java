package dev.rosetta.model;

/**
 * Token counts with disjoint parts: {@code inputUncached + cacheRead + cacheWrite} is every prompt
 * token, {@code output} includes {@code reasoning}. Each dialect counts differently; the factory and
 * render methods are the only place that knows how (mapping.md §9).
 *
 * @param cacheWrite1h the part of {@code cacheWrite} written to a cache that lives an hour (Anthropic's
 *                     {@code ttl: "1h"}), billed at a higher rate than the default lifetime; 0 where a
 *                     provider has one lifetime only
 */
public record Usage(long inputUncached, long cacheRead, long cacheWrite, long output, long reasoning,
                    long cacheWrite1h) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0, 0);

    /** Usage whose cache writes, if any, all have the default lifetime. */
    public Usage(long inputUncached, long cacheRead, long cacheWrite, long output, long reasoning) {
        this(inputUncached, cacheRead, cacheWrite, output, reasoning, 0);
    }

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

    /**
     * Anthropic with the lifetimes of the cache writes: {@code cache_creation_input_tokens} counts them
     * all, {@code cache_creation.ephemeral_1h_input_tokens} those kept an hour (never more than the total).
     */
    public static Usage fromAnthropic(long inputTokens, long cacheRead, long cacheWrite, long outputTokens,
                                      long thinkingTokens, long cacheWrite1h) {
        return new Usage(inputTokens, cacheRead, cacheWrite, outputTokens, thinkingTokens,
                Math.max(0, Math.min(cacheWrite1h, cacheWrite)));
    }

    /** Cache writes with the default (shortest) lifetime: Anthropic's 5 minutes. */
    public long cacheWrite5m() {
        return Math.max(0, cacheWrite - Math.max(0, cacheWrite1h));
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
