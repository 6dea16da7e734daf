package dev.rosetta.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Fields only one dialect has, typed, so that a request converted to its own dialect's family keeps
 * them and a request converted elsewhere can report exactly what was dropped.
 */
public record Extensions(Optional<OpenAiChat> openAiChat, Optional<Responses> responses,
                         Optional<Anthropic> anthropic, Optional<Gemini> gemini) {
    public Extensions {
        Objects.requireNonNull(openAiChat, "openAiChat");
        Objects.requireNonNull(responses, "responses");
        Objects.requireNonNull(anthropic, "anthropic");
        Objects.requireNonNull(gemini, "gemini");
    }

    public static Extensions none() {
        return new Extensions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Extensions withOpenAiChat(OpenAiChat e) {
        return new Extensions(Optional.of(e), responses, anthropic, gemini);
    }

    public Extensions withResponses(Responses e) {
        return new Extensions(openAiChat, Optional.of(e), anthropic, gemini);
    }

    public Extensions withAnthropic(Anthropic e) {
        return new Extensions(openAiChat, responses, Optional.of(e), gemini);
    }

    public Extensions withGemini(Gemini e) {
        return new Extensions(openAiChat, responses, anthropic, Optional.of(e));
    }

    /** OpenAI Chat Completions only (most also exist in Responses). */
    public record OpenAiChat(Optional<Boolean> logprobs, Optional<Integer> topLogprobs, Optional<Json> logitBias,
                             Optional<String> serviceTier, Optional<Boolean> store, Optional<String> verbosity,
                             Optional<String> promptCacheKey, Optional<String> safetyIdentifier) {
        public OpenAiChat {
            Objects.requireNonNull(logprobs, "logprobs");
            Objects.requireNonNull(topLogprobs, "topLogprobs");
            Objects.requireNonNull(logitBias, "logitBias");
            Objects.requireNonNull(serviceTier, "serviceTier");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(verbosity, "verbosity");
            Objects.requireNonNull(promptCacheKey, "promptCacheKey");
            Objects.requireNonNull(safetyIdentifier, "safetyIdentifier");
        }
    }

    /**
     * OpenAI Responses only. {@code previousResponseId} refers to state stored at OpenAI.
     *
     * @param toolForms the Responses tools the neutral request declares as plain functions, by that function's
     *                  name: freeform ({@code custom}) tools and tools inside a {@code namespace}, so that a call
     *                  to one is answered as the client declared it
     */
    public record Responses(Optional<String> previousResponseId, Optional<Boolean> store, List<String> include,
                            Optional<String> truncation, Optional<String> serviceTier,
                            Optional<String> reasoningSummary, Map<String, ToolForm> toolForms) {
        public Responses {
            Objects.requireNonNull(previousResponseId, "previousResponseId");
            Objects.requireNonNull(store, "store");
            include = List.copyOf(include);
            Objects.requireNonNull(truncation, "truncation");
            Objects.requireNonNull(serviceTier, "serviceTier");
            Objects.requireNonNull(reasoningSummary, "reasoningSummary");
            toolForms = Map.copyOf(toolForms);
        }

        public Responses(Optional<String> previousResponseId, Optional<Boolean> store, List<String> include,
                         Optional<String> truncation, Optional<String> serviceTier,
                         Optional<String> reasoningSummary) {
            this(previousResponseId, store, include, truncation, serviceTier, reasoningSummary, Map.of());
        }
    }

    /**
     * How a Responses client declared a tool that reaches other providers as a function. A freeform tool is a
     * function of one string argument, {@link #FREEFORM_ARGUMENT}; a namespaced one is named by its bare name,
     * or {@code namespace__name} when the bare name is taken.
     *
     * @param name the tool's name inside its namespace
     * @param freeform a {@code custom} tool: its call carries raw {@code input}, not JSON arguments
     */
    public record ToolForm(String name, Optional<String> namespace, boolean freeform) {
        public static final String FREEFORM_ARGUMENT = "input";

        public ToolForm {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(namespace, "namespace");
        }
    }

    /** Anthropic only. */
    public record Anthropic(Optional<String> serviceTier) {
        public Anthropic {
            Objects.requireNonNull(serviceTier, "serviceTier");
        }
    }

    /** Gemini only: settings passed through opaquely. */
    public record Gemini(Optional<Json> safetySettings, Optional<String> cachedContent) {
        public Gemini {
            Objects.requireNonNull(safetySettings, "safetySettings");
            Objects.requireNonNull(cachedContent, "cachedContent");
        }
    }
}
