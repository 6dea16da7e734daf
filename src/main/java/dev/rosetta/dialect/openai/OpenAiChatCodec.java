package dev.rosetta.dialect.openai;

import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.internal.Guard;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;

/**
 * OpenAI Chat Completions ({@code POST /v1/chat/completions}).
 *
 * <p>Implementation notes: the system prompt becomes one leading {@code system} message; tool results
 * (in user turns in the model) become one {@code tool} message each, ahead of any other user content
 * of the turn; thinking cannot be sent to OpenAI and is dropped. Streams always ask for usage.
 */
public final class OpenAiChatCodec implements Codec {
    public static final OpenAiChatCodec INSTANCE = new OpenAiChatCodec();

    private OpenAiChatCodec() {
    }

    @Override
    public Dialect dialect() {
        return Dialect.OPENAI_CHAT;
    }

    @Override
    public ChatRequest decodeRequest(byte[] json, DropLog dropped) {
        return Guard.decoding(() -> ChatRequestDecoder.decode(json, dropped));
    }

    @Override
    public byte[] encodeRequest(ChatRequest request, String upstreamModel, DropLog dropped) {
        return Guard.encoding(() -> ChatRequestEncoder.encode(request, upstreamModel, dropped));
    }

    @Override
    public ChatResponse decodeResponse(byte[] json, ResponseContext context, DropLog dropped) {
        return Guard.decoding(() -> ChatResponses.decode(json, context, dropped));
    }

    @Override
    public byte[] encodeResponse(ChatResponse response, DropLog dropped) {
        return Guard.encoding(() -> ChatResponses.encode(response, dropped));
    }
}
