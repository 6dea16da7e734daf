package dev.rosetta.config;

import dev.rosetta.dialect.openai.ChatReasoning;
import java.util.Optional;

/**
 * A model clients may name.
 *
 * @param name the name clients send
 * @param provider the name of the provider that serves it
 * @param upstreamModel the name the provider knows it by
 * @param maxTokens the output limit sent to providers that require one (Anthropic) when the client set none
 * @param api for OpenAI providers: the API to convert to, overriding the provider's
 * @param chatReasoning whether Chat Completions clients of this model are shown its reasoning (when converted)
 * @param publisher on a vertex provider: the model's publisher ({@code google}, {@code anthropic}), else from its id
 */
public record ModelConfig(String name, String provider, String upstreamModel, Optional<Integer> maxTokens,
                          Optional<OpenAiApi> api, ChatReasoning chatReasoning, Optional<String> publisher) {

    public ModelConfig(String name, String provider, String upstreamModel, Optional<Integer> maxTokens,
                       Optional<OpenAiApi> api, ChatReasoning chatReasoning) {
        this(name, provider, upstreamModel, maxTokens, api, chatReasoning, Optional.empty());
    }

    public ModelConfig(String name, String provider, String upstreamModel) {
        this(name, provider, upstreamModel, Optional.empty(), Optional.empty(), ChatReasoning.NONE);
    }
}
