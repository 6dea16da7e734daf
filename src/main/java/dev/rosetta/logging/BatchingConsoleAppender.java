package dev.rosetta.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A console appender for one line per request (the access log) that costs the logging thread neither
 * a thread wake-up nor a system call.
 *
 * <p>Implementation notes: the calling thread (an event loop) appends the encoded line to a shared
 * buffer under a short lock and returns; it never signals anyone. A daemon thread wakes every
 * {@code flushMillis} (default 50) and writes everything gathered in one write, so lines reach stdout
 * at most that late, in order. Logback's {@code AsyncAppender} instead hands each line to its worker
 * through a blocking queue: at low and moderate rates the worker is idle, so every request paid for
 * waking it and for its own write system call. When {@code highWaterBytes} (default 64 KiB) are
 * waiting the writer is woken early, once. When {@code maxBytes} (default 8 MiB) are waiting (stdout
 * is blocked) further lines are dropped and counted, as {@code AsyncAppender} with {@code neverBlock}
 * did, so an event loop never blocks on the log. {@link #stop()} (logback's context stop) writes what
 * is left.
 *
 * <p>Without an {@code encoder} each event is written as its formatted message and a newline.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private final Object lock = new Object();
    private Encoder<ILoggingEvent> encoder;
    private String target = "System.out";
    private long flushMillis = 50;
    private int highWaterBytes = 64 * 1024;
    private int maxBytes = 8 * 1024 * 1024;

    private byte[] buf = new byte[16 * 1024];
    private int size;
    private boolean wakeRequested;
    private long dropped;
    private volatile boolean running;
    private Thread writer;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** {@code System.out} (default) or {@code System.err}. */
    public void setTarget(String target) {
        this.target = target;
    }

    public void setFlushMillis(long flushMillis) {
        this.flushMillis = flushMillis;
    }

    public void setHighWaterBytes(int highWaterBytes) {
        this.highWaterBytes = highWaterBytes;
    }

    public void setMaxBytes(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Lines dropped because the buffer was full. */
    public long dropped() {
        synchronized (lock) {
            return dropped;
        }
    }

    @Override
    public void start() {
        if (!target.equals("System.out") && !target.equals("System.err")) {
            addError("target must be System.out or System.err, not " + target);
            return;
        }
        if (flushMillis <= 0 || highWaterBytes <= 0 || maxBytes < highWaterBytes) {
            addError("need flushMillis > 0 and 0 < highWaterBytes <= maxBytes");
            return;
        }
        running = true;
        writer = new Thread(this::writeLoop, "rosetta-log-writer");
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    @Override
    protected void append(ILoggingEvent event) {
        byte[] line = encoder != null ? encoder.encode(event)
                : (event.getFormattedMessage() + '\n').getBytes(StandardCharsets.UTF_8);
        boolean wake = false;
        synchronized (lock) {
            if (size + line.length > maxBytes) {
                dropped++;
                return;
            }
            if (size + line.length > buf.length) {
                buf = Arrays.copyOf(buf, Math.min(maxBytes, Math.max(size + line.length, 2 * buf.length)));
            }
            System.arraycopy(line, 0, buf, size, line.length);
            size += line.length;
            if (size >= highWaterBytes && !wakeRequested) {
                wakeRequested = true;
                wake = true;
            }
        }
        if (wake) {
            LockSupport.unpark(writer);
        }
    }

    private void writeLoop() {
        long nanos = TimeUnit.MILLISECONDS.toNanos(flushMillis);
        byte[] spare = new byte[buf.length];
        while (running) {
            LockSupport.parkNanos(this, nanos);
            spare = flush(spare);
        }
    }

    /** Writes what is waiting; returns the buffer to gather into next time. */
    private byte[] flush(byte[] spare) {
        byte[] full;
        int n;
        synchronized (lock) {
            wakeRequested = false;
            if (size == 0) {
                return spare;
            }
            full = buf;
            n = size;
            buf = spare.length >= highWaterBytes || spare.length >= full.length ? spare : new byte[full.length];
            size = 0;
        }
        PrintStream out = target.equals("System.err") ? System.err : System.out;
        out.write(full, 0, n);
        out.flush();
        return full.length > 4 * highWaterBytes ? new byte[highWaterBytes] : full;
    }

    private void flush() {
        flush(new byte[0]);
    }
}
