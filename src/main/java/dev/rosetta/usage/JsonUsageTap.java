package dev.rosetta.usage;

import dev.rosetta.model.Usage;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.pipeline.Buffers;
import dev.rosetta.pipeline.Json;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * Usage from a JSON body (or Gemini's JSON-array stream), parsed incrementally with Jackson's
 * non-blocking parser: memory stays constant whatever the body's size.
 */
public final class JsonUsageTap implements UsageTap {

    private final ProviderType format;
    private final UsageScanner scanner = new UsageScanner();
    private JsonParser parser;
    private boolean broken;

    public JsonUsageTap(ProviderType format) {
        this.format = format;
        try {
            parser = Json.FACTORY.createNonBlockingByteArrayParser();
        } catch (IOException e) {
            broken = true;
        }
    }

    @Override
    public void feed(Buffer chunk) {
        if (broken) {
            return;
        }
        try {
            // Safe without a copy: the parser is drained of everything fed before this returns.
            ByteArrayFeeder feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
            Buffers.read(chunk, (array, offset, length) -> feeder.feedInput(array, offset, offset + length));
            drain();
        } catch (IOException | RuntimeException e) {
            broken = true;
        }
    }

    @Override
    public Usage finish() {
        if (!broken) {
            try {
                ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).endOfInput();
                drain();
            } catch (IOException | RuntimeException e) {
                broken = true;
            }
        }
        return scanner.usage(format);
    }

    private void drain() throws IOException {
        JsonToken t;
        while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            scanner.accept(t, parser);
        }
    }
}
