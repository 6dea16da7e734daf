package dev.rosetta.dialect;

import dev.rosetta.dialect.anthropic.AnthropicCodec;
import dev.rosetta.dialect.gemini.GeminiCodec;
import dev.rosetta.dialect.openai.ChatReasoning;
import dev.rosetta.dialect.openai.OpenAiChatCodec;
import dev.rosetta.dialect.responses.ResponsesCodec;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;

/**
 * Converts one dialect's non-streaming JSON bodies to and from the neutral model.
 *
 * <p>Codecs are pure and stateless: no I/O, no clock, no randomness, safe to share between threads.
 * Every failure is a {@link dev.rosetta.error.GatewayException}: malformed input is an
 * {@code INVALID_REQUEST} whose message names the JSON path of the bad field; a request the target
 * cannot express without changing its meaning is an {@code INVALID_REQUEST} naming the field.
 * Fields that can be left out harmlessly are left out and their paths added to the {@link DropLog}.
 */
public interface Codec {

    Dialect dialect();

    /** A client request body in this dialect. */
    ChatRequest decodeRequest(byte[] json, DropLog dropped);

    /** A request body in this dialect for the upstream, naming {@code upstreamModel}. */
    byte[] encodeRequest(ChatRequest request, String upstreamModel, DropLog dropped);

    /** An upstream response body in this dialect; {@code context} fills what the body lacks. */
    ChatResponse decodeResponse(byte[] json, ResponseContext context, DropLog dropped);

    /** A response body in this dialect for the client. */
    byte[] encodeResponse(ChatResponse response, DropLog dropped);

    /**
     * A response body in this dialect for the client that sent {@code request}: the request tells how the
     * client declared tools other dialects know only as functions (Responses freeform and namespaced tools).
     */
    default byte[] encodeResponse(ChatResponse response, ChatRequest request, DropLog dropped) {
        return encodeResponse(response, dropped);
    }

    default ChatRequest decodeRequest(byte[] json) {
        return decodeRequest(json, new DropLog());
    }

    default byte[] encodeRequest(ChatRequest request, String upstreamModel) {
        return encodeRequest(request, upstreamModel, new DropLog());
    }

    default ChatResponse decodeResponse(byte[] json, ResponseContext context) {
        return decodeResponse(json, context, new DropLog());
    }

    default byte[] encodeResponse(ChatResponse response) {
        return encodeResponse(response, new DropLog());
    }

    /**
     * The codec for a client of {@code dialect}: as {@link #of}, except that a Chat Completions client
     * may be shown reasoning ({@code chatReasoning}), which other dialects have fields for.
     */
    static Codec forClient(Dialect dialect, ChatReasoning chatReasoning) {
        return dialect == Dialect.OPENAI_CHAT ? OpenAiChatCodec.of(chatReasoning) : of(dialect);
    }

    /** The codec of a dialect. */
    static Codec of(Dialect dialect) {
        return switch (dialect) {
            case OPENAI_CHAT -> OpenAiChatCodec.INSTANCE;
            case OPENAI_RESPONSES -> ResponsesCodec.INSTANCE;
            case ANTHROPIC -> AnthropicCodec.INSTANCE;
            case GEMINI -> GeminiCodec.INSTANCE;
        };
    }
}
