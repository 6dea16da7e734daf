package dev.rosetta.dialect.openai;

import java.util.Optional;

/**
 * Whether a Chat Completions client is shown the model's reasoning, and where. Chat Completions has
 * no field for it; the de facto one is {@code reasoning_content} on the message and on stream deltas
 * (DeepSeek, vLLM, LiteLLM, and the chat UIs and agent frameworks that read them).
 */
public enum ChatReasoning {
    /** Reasoning is left out (and reported as dropped): what strict OpenAI clients expect. */
    NONE("none"),
    /** Reasoning text in {@code message.reasoning_content} and {@code delta.reasoning_content}. */
    REASONING_CONTENT("reasoning_content");

    /** The request header a client sets to choose, overriding the model's {@code chat_reasoning}. */
    public static final String HEADER = "x-rosetta-chat-reasoning";

    private final String wireName;

    ChatReasoning(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the configuration and the header. */
    public String wireName() {
        return wireName;
    }

    public static Optional<ChatReasoning> fromWireName(String s) {
        for (ChatReasoning r : values()) {
            if (r.wireName.equals(s)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
