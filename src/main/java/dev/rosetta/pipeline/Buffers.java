package dev.rosetta.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Moving bodies between Vert.x buffers and byte arrays without copying where it is safe to.
 *
 * <p>Vert.x hands handlers a heap buffer of its own (a "safe" copy of what the socket read), which
 * nothing else references or changes. Its backing array is exactly the bytes when the buffer fills
 * it, so the array itself can be used; the request body of a small call is then copied once (by
 * Vert.x, off the socket) instead of four times on its way to the upstream.
 */
public final class Buffers {

    private Buffers() {
    }

    /**
     * The buffer's bytes. This is the backing array itself when the buffer fills it exactly, so the
     * caller must treat the result as read-only and must not change {@code buffer} afterwards.
     */
    public static byte[] bytes(Buffer buffer) {
        if (buffer instanceof BufferInternal internal) {
            ByteBuf buf = internal.getByteBuf();
            if (buf.hasArray() && buf.arrayOffset() == 0 && buf.readerIndex() == 0
                    && buf.array().length == buf.writerIndex()) {
                return buf.array();
            }
        }
        return buffer.getBytes();
    }

    /** A buffer over {@code bytes}, without copying; the caller must not change them afterwards. */
    public static Buffer wrap(byte[] bytes) {
        return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
    }

    /**
     * Feeds a buffer's readable bytes to {@code sink} as (array, offset, length), straight from its
     * backing array when it has one.
     */
    public static <E extends Exception> void read(Buffer buffer, ArraySink<E> sink) throws E {
        if (buffer instanceof BufferInternal internal) {
            ByteBuf buf = internal.getByteBuf();
            if (buf.hasArray()) {
                sink.accept(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
                return;
            }
        }
        byte[] bytes = buffer.getBytes();
        sink.accept(bytes, 0, bytes.length);
    }

    /** Receives a slice of an array. */
    @FunctionalInterface
    public interface ArraySink<E extends Exception> {
        void accept(byte[] array, int offset, int length) throws E;
    }
}
