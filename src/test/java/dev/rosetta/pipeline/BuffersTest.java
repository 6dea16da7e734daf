package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuffersTest {

    @Test
    void aBufferThatFillsItsArrayHandsOverTheArrayItself() {
        byte[] data = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);
        Buffer exact = Buffer.buffer(data.length).appendBytes(data);
        byte[] got = Buffers.bytes(exact);
        assertThat(got).isEqualTo(data);
        assertThat(Buffers.bytes(exact)).isSameAs(got);
    }

    @Test
    void anyOtherBufferIsCopied() {
        byte[] data = "abcdef".getBytes(StandardCharsets.UTF_8);
        Buffer roomy = Buffer.buffer(64).appendBytes(data);
        assertThat(Buffers.bytes(roomy)).isEqualTo(data).hasSize(6);
        Buffer slice = Buffer.buffer(data.length).appendBytes(data).slice(2, 5);
        assertThat(Buffers.bytes(slice)).isEqualTo("cde".getBytes(StandardCharsets.UTF_8));
        assertThat(Buffers.bytes(Buffer.buffer())).isEmpty();
    }

    @Test
    void wrapSharesTheArray() {
        byte[] data = "xyz".getBytes(StandardCharsets.UTF_8);
        Buffer wrapped = Buffers.wrap(data);
        data[0] = 'X';
        assertThat(wrapped.toString()).isEqualTo("Xyz");
        assertThat(wrapped.length()).isEqualTo(3);
    }

    @Test
    void readGivesTheReadableSliceOfTheBackingArray() {
        Buffer slice = Buffer.buffer("0123456789").slice(3, 7);
        List<String> seen = new ArrayList<>();
        Buffers.read(slice, (array, offset, length) -> seen.add(new String(array, offset, length, StandardCharsets.UTF_8)));
        assertThat(seen).containsExactly("3456");
    }
}
