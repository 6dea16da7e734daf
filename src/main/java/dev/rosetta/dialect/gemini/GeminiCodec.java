package dev.rosetta.dialect.gemini;

import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.internal.Guard;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;

/**
 * Google Gemini generateContent ({@code POST /v1beta/models/{model}:generateContent}).
 *
 * <p>Implementation notes: the model is part of the URL, so {@code encodeRequest} ignores
 * {@code upstreamModel}. Calls without an id get a deterministic one ({@link GeminiIds}), which is left
 * out again when the call is replayed to Gemini; function responses get their name from the matching
 * call and follow the calls' order. Tool schemas pass through {@link GeminiSchemas#sanitize}.
 */
public final class GeminiCodec implements Codec {
    public static final GeminiCodec INSTANCE = new GeminiCodec();

    private GeminiCodec() {
    }

    @Override
    public Dialect dialect() {
        return Dialect.GEMINI;
    }

    @Override
    public ChatRequest decodeRequest(byte[] json, DropLog dropped) {
        return Guard.decoding(() -> GeminiRequestDecoder.decode(json, dropped));
    }

    @Override
    public byte[] encodeRequest(ChatRequest request, String upstreamModel, DropLog dropped) {
        return Guard.encoding(() -> GeminiRequestEncoder.encode(request, dropped));
    }

    @Override
    public ChatResponse decodeResponse(byte[] json, ResponseContext context, DropLog dropped) {
        return Guard.decoding(() -> GeminiResponses.decode(json, context, dropped));
    }

    @Override
    public byte[] encodeResponse(ChatResponse response, DropLog dropped) {
        return Guard.encoding(() -> GeminiResponses.encode(response, dropped));
    }
}
