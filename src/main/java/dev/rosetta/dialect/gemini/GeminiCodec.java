package dev.rosetta.dialect.gemini;

import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;

/** Placeholder until the codec lands. */
public final class GeminiCodec implements Codec {
    public static final GeminiCodec INSTANCE = new GeminiCodec();

    private GeminiCodec() {
    }

    @Override
    public Dialect dialect() {
        return Dialect.GEMINI;
    }

    private static RuntimeException todo() {
        return GatewayError.of(ErrorKind.INTERNAL, "not implemented").toException();
    }

    @Override
    public ChatRequest decodeRequest(byte[] json, DropLog dropped) {
        throw todo();
    }

    @Override
    public byte[] encodeRequest(ChatRequest request, String upstreamModel, DropLog dropped) {
        throw todo();
    }

    @Override
    public ChatResponse decodeResponse(byte[] json, ResponseContext context, DropLog dropped) {
        throw todo();
    }

    @Override
    public byte[] encodeResponse(ChatResponse response, DropLog dropped) {
        throw todo();
    }
}
