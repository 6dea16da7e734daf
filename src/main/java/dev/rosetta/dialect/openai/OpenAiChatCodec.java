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
 *
 * <p>Reasoning in answers is left out unless the codec is made for {@link ChatReasoning#REASONING_CONTENT}:
 * then an answer's thinking text goes in {@code message.reasoning_content}, and a request that asks
 * for reasoning also asks the provider for its thoughts (Gemini {@code includeThoughts}, a Responses
 * reasoning summary). {@code reasoning_content} on an assistant message of the history is read either
 * way, as unsigned thinking.
 */
public final class OpenAiChatCodec implements Codec {
    public static final OpenAiChatCodec INSTANCE = new OpenAiChatCodec(ChatReasoning.NONE);
    private static final OpenAiChatCodec REASONING_CONTENT = new OpenAiChatCodec(ChatReasoning.REASONING_CONTENT);

    private final ChatReasoning reasoning;

    private OpenAiChatCodec(ChatReasoning reasoning) {
        this.reasoning = reasoning;
    }

    /** The codec for clients that are shown reasoning as {@code reasoning}. */
    public static OpenAiChatCodec of(ChatReasoning reasoning) {
        return switch (reasoning) {
            case NONE -> INSTANCE;
            case REASONING_CONTENT -> REASONING_CONTENT;
        };
    }

    @Override
    public Dialect dialect() {
        return Dialect.OPENAI_CHAT;
    }

    @Override
    public ChatRequest decodeRequest(byte[] json, DropLog dropped) {
        return Guard.decoding(() -> ChatRequestDecoder.decode(json, dropped, reasoning));
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
        return Guard.encoding(() -> ChatResponses.encode(response, dropped, reasoning));
    }
}
