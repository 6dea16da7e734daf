package dev.rosetta.dialect.anthropic;

import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.internal.Guard;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;

/**
 * Anthropic Messages ({@code POST /v1/messages}).
 *
 * <p>Implementation notes: turns are merged to alternate strictly, tool results go first in their user
 * message, tool ids are sanitized to {@code [a-zA-Z0-9_-]} on calls and results alike; thinking is sent
 * back only when it carries an Anthropic signature. {@code max_tokens} is required, so a default is sent.
 */
public final class AnthropicCodec implements Codec {
    public static final AnthropicCodec INSTANCE = new AnthropicCodec();

    private AnthropicCodec() {
    }

    @Override
    public Dialect dialect() {
        return Dialect.ANTHROPIC;
    }

    @Override
    public ChatRequest decodeRequest(byte[] json, DropLog dropped) {
        return Guard.decoding(() -> AnthropicRequestDecoder.decode(json, dropped));
    }

    @Override
    public byte[] encodeRequest(ChatRequest request, String upstreamModel, DropLog dropped) {
        return Guard.encoding(() -> AnthropicRequestEncoder.encode(request, upstreamModel, dropped));
    }

    @Override
    public ChatResponse decodeResponse(byte[] json, ResponseContext context, DropLog dropped) {
        return Guard.decoding(() -> AnthropicResponses.decode(json, context, dropped));
    }

    @Override
    public byte[] encodeResponse(ChatResponse response, DropLog dropped) {
        return Guard.encoding(() -> AnthropicResponses.encode(response, dropped));
    }
}
