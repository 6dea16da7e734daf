package dev.rosetta.dialect.responses;

import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.internal.Guard;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.Extensions;
import java.util.Map;

/**
 * OpenAI Responses API ({@code POST /v1/responses}), stateless use only.
 *
 * <p>Implementation notes: {@code instructions} and system/developer messages before the first turn make the
 * system prompt, later ones stay in place as {@link dev.rosetta.model.Role#SYSTEM} turns; freeform and
 * namespaced tools travel as functions and are answered in their own form ({@code ResponsesTools});
 * only a function call's {@code call_id} is the neutral tool-call id (the item id {@code fc_...} is
 * derived again on the way out). {@code previous_response_id} names state held at OpenAI, so a request
 * using it cannot go to another provider.
 */
public final class ResponsesCodec implements Codec {
    public static final ResponsesCodec INSTANCE = new ResponsesCodec();

    private ResponsesCodec() {
    }

    @Override
    public Dialect dialect() {
        return Dialect.OPENAI_RESPONSES;
    }

    @Override
    public ChatRequest decodeRequest(byte[] json, DropLog dropped) {
        return Guard.decoding(() -> ResponsesRequestDecoder.decode(json, dropped));
    }

    @Override
    public byte[] encodeRequest(ChatRequest request, String upstreamModel, DropLog dropped) {
        return Guard.encoding(() -> ResponsesRequestEncoder.encode(request, upstreamModel, dropped));
    }

    @Override
    public ChatResponse decodeResponse(byte[] json, ResponseContext context, DropLog dropped) {
        return Guard.decoding(() -> ResponsesResponses.decode(json, context, dropped));
    }

    @Override
    public byte[] encodeResponse(ChatResponse response, DropLog dropped) {
        return Guard.encoding(() -> ResponsesResponses.encode(response, Map.of(), dropped));
    }

    @Override
    public byte[] encodeResponse(ChatResponse response, ChatRequest request, DropLog dropped) {
        return Guard.encoding(() -> ResponsesResponses.encode(response, toolForms(request), dropped));
    }

    /** How the client declared the tools the neutral request holds as functions; empty for other dialects. */
    public static Map<String, Extensions.ToolForm> toolForms(ChatRequest request) {
        return request.extensions().responses().map(Extensions.Responses::toolForms).orElse(Map.of());
    }
}
