package dev.rosetta.upstream.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rosetta.testing.EventStreamFrames;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Bedrock's event stream as Anthropic SSE: whole whatever the splits, and a bad frame refused. */
class EventStreamDecoderTest {

    private static final String START = "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"content\":[]}}";
    private static final String DELTA = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"héllo ✓\"}}";
    private static final String STOP = "{\"type\":\"message_stop\"}";

    private static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(EventStreamFrames.chunk(START));
        out.writeBytes(EventStreamFrames.chunk(DELTA));
        out.writeBytes(EventStreamFrames.chunk(STOP));
        return out.toByteArray();
    }

    private static final String SSE = "event: message_start\ndata: " + START + "\n\n"
            + "event: content_block_delta\ndata: " + DELTA + "\n\n" + "event: message_stop\ndata: " + STOP + "\n\n";

    @Property(tries = 200)
    void anySplitGivesTheSameEvents(@ForAll @IntRange(min = 0, max = 100000) int seed) {
        BedrockEvents events = new BedrockEvents();
        StringBuilder sse = new StringBuilder();
        for (byte[] part : EventStreamFrames.split(stream(), new Random(seed))) {
            sse.append(events.feed(Buffer.buffer(part)).toString(StandardCharsets.UTF_8));
        }
        assertThat(sse.toString()).isEqualTo(SSE);
        assertThat(events.partial()).isFalse();
    }

    @Test
    void aBadCrcIsRefused() {
        byte[] bytes = stream();
        bytes[bytes.length - 20] ^= 1; // in the last frame's payload: its message CRC no longer matches
        BedrockEvents events = new BedrockEvents();
        assertThatThrownBy(() -> events.feed(Buffer.buffer(bytes))).isInstanceOf(EventStreamDecoder.FramingException.class)
                .hasMessageContaining("CRC");
        byte[] prelude = stream();
        prelude[2] ^= 1; // the total length: the prelude CRC catches it
        assertThatThrownBy(() -> new BedrockEvents().feed(Buffer.buffer(prelude)))
                .isInstanceOf(EventStreamDecoder.FramingException.class);
    }

    @Test
    void anExceptionIsAnthropicsErrorEvent() {
        String sse = new BedrockEvents().feed(Buffer.buffer(EventStreamFrames.exception("throttlingException", "Slow \\\"down\\\"")))
                .toString(StandardCharsets.UTF_8);
        assertThat(sse).isEqualTo("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
                + "\"message\":\"Bedrock throttlingException: Slow \\\"down\\\"\"}}\n\n");
    }
}
