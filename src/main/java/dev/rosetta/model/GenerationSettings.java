package dev.rosetta.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Sampling and length settings; empty means "provider default". */
public record GenerationSettings(Optional<Integer> maxTokens, Optional<Double> temperature, Optional<Double> topP,
                                 Optional<Integer> topK, List<String> stopSequences, Optional<Long> seed,
                                 Optional<Integer> n, Optional<Double> presencePenalty,
                                 Optional<Double> frequencyPenalty, Optional<ResponseFormat> responseFormat) {
    public GenerationSettings {
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(temperature, "temperature");
        Objects.requireNonNull(topP, "topP");
        Objects.requireNonNull(topK, "topK");
        stopSequences = List.copyOf(stopSequences);
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(n, "n");
        Objects.requireNonNull(presencePenalty, "presencePenalty");
        Objects.requireNonNull(frequencyPenalty, "frequencyPenalty");
        Objects.requireNonNull(responseFormat, "responseFormat");
    }

    public static GenerationSettings defaults() {
        return new GenerationSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public GenerationSettings withMaxTokens(int max) {
        return new GenerationSettings(Optional.of(max), temperature, topP, topK, stopSequences, seed, n,
                presencePenalty, frequencyPenalty, responseFormat);
    }
}
